/**
 * The transaction timers of RFC 3261 Appendix A and RFC 6026 §8.11, in milliseconds.
 * Every duration a transaction waits comes from here, chosen by whether the transport
 * is reliable, so that tuning T1, T2 and T4 (§17.1.1.1 lets a network with a known
 * round-trip time do so) moves every timer with them.
 */
export interface TimerConfig {
  /** RTT estimate (default 500 ms). */
  readonly t1: number;
  /** The longest interval between retransmissions of a non-INVITE request or an INVITE response (default 4 s). */
  readonly t2: number;
  /** The longest a message stays in the network (default 5 s). */
  readonly t4: number;
}

export const DEFAULT_TIMERS: TimerConfig = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/**
 * RFC 3261 §17.2.1: the server transaction MUST generate a 100 (Trying) unless it
 * knows that the TU will generate a provisional or final response within 200 ms.
 */
export const TRYING_DELAY = 200;

/** RFC 3261 §17.1.1.2: Timer D is "> 32 s for UDP"; 32 s covers a server's 64*T1 of response retransmissions with the default T1. */
const TIMER_D_MIN = 32_000;

/**
 * Timer A, INVITE request retransmit interval, UDP only: T1 doubling after each
 * retransmission, with no cap. `retransmissions` is how many have gone out already.
 * Undefined on a reliable transport: the timer is not set.
 */
export function timerA(c: TimerConfig, reliable: boolean, retransmissions: number): number | undefined {
  return reliable ? undefined : c.t1 * 2 ** retransmissions;
}

/** Timer B, INVITE transaction timeout: 64*T1. */
export function timerB(c: TimerConfig): number {
  return 64 * c.t1;
}

/** Timer D, wait time for response retransmits: > 32 s for UDP, 0 for reliable transports. */
export function timerD(c: TimerConfig, reliable: boolean): number {
  return reliable ? 0 : Math.max(TIMER_D_MIN, 64 * c.t1);
}

/**
 * Timer E, non-INVITE request retransmit interval, UDP only: T1 doubling up to T2
 * while Trying; T2 once Proceeding (§17.1.2.2).
 */
export function timerE(c: TimerConfig, reliable: boolean, retransmissions: number, proceeding: boolean): number | undefined {
  if (reliable) return undefined;
  return proceeding ? c.t2 : Math.min(c.t1 * 2 ** retransmissions, c.t2);
}

/** Timer F, non-INVITE transaction timeout: 64*T1. */
export function timerF(c: TimerConfig): number {
  return 64 * c.t1;
}

/** Timer G, INVITE response retransmit interval, UDP only: T1 doubling up to T2. */
export function timerG(c: TimerConfig, reliable: boolean, retransmissions: number): number | undefined {
  return reliable ? undefined : Math.min(c.t1 * 2 ** retransmissions, c.t2);
}

/**
 * RFC 3261 §9.1: how long the client of a cancelled INVITE waits for its final
 * response: "If there is no final response for the original request in 64*T1 seconds
 * [...], the client SHOULD then consider the original transaction cancelled".
 */
export function cancelledInviteWait(c: TimerConfig): number {
  return 64 * c.t1;
}

/** Timer H, wait time for ACK receipt: 64*T1. */
export function timerH(c: TimerConfig): number {
  return 64 * c.t1;
}

/** Timer I, wait time for ACK retransmits: T4 for UDP, 0 for reliable transports. */
export function timerI(c: TimerConfig, reliable: boolean): number {
  return reliable ? 0 : c.t4;
}

/** Timer J, wait time for non-INVITE request retransmits: 64*T1 for UDP, 0 for reliable transports. */
export function timerJ(c: TimerConfig, reliable: boolean): number {
  return reliable ? 0 : 64 * c.t1;
}

/** Timer K, wait time for response retransmits: T4 for UDP, 0 for reliable transports. */
export function timerK(c: TimerConfig, reliable: boolean): number {
  return reliable ? 0 : c.t4;
}

/** RFC 6026 §8.11 Timer L, wait time for accepted INVITE request retransmits: 64*T1. */
export function timerL(c: TimerConfig): number {
  return 64 * c.t1;
}

/** RFC 6026 §8.11 Timer M, wait time for retransmission of 2xx to INVITE or additional 2xx from other branches of a forked INVITE: 64*T1. */
export function timerM(c: TimerConfig): number {
  return 64 * c.t1;
}

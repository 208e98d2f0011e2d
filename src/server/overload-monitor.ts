/**
 * When the node is overloaded, as overload protection (RFC 3261 §21.5.4) reads it,
 * from two signals sampled every `intervalMs` and smoothed, so that one long GC pause
 * or one lossy phone does not turn callers away:
 *
 * - event-loop lag: how late a timer fires (work piling up inside the process);
 * - retransmissions: the share of requests that are retransmissions absorbed by a
 *   live server transaction. A UDP flood builds its backlog in the kernel's socket
 *   buffer, which the loop drains in small batches without lagging; what shows it is
 *   phones retransmitting because answers come late (Timers A and E, 500 ms).
 *
 * Shedding starts when either passes its limit and stops when both are below half of
 * it, so the node does not flap at the edge.
 */
export interface OverloadLimits {
  readonly maxLagMs: number;
  /** Of the requests in a window, the share that may be retransmissions (0 to 1). */
  readonly maxRetransmissionShare: number;
  /** Below this many retransmissions a second, the share is not read (a lossy phone or two). */
  readonly minRetransmissionsPerSecond: number;
}

/** One interval's readings. */
export interface OverloadSample {
  readonly lagMs: number;
  readonly newRequests: number;
  readonly retransmissions: number;
}

export interface OverloadState {
  readonly lagMs: number;
  readonly newPerSecond: number;
  readonly retransmissionsPerSecond: number;
  readonly shedding: boolean;
}

export const CALM: OverloadState = { lagMs: 0, newPerSecond: 0, retransmissionsPerSecond: 0, shedding: false };

/** Weight of the newest sample: about the last second counts at a 100 ms interval. */
const SMOOTHING = 0.3;

const smooth = (previous: number, sample: number): number => previous + SMOOTHING * (Math.max(0, sample) - previous);

/** Whether the readings are past the limits scaled by `scale` (1 to start shedding, ½ to go on). */
function over(s: OverloadState, limits: OverloadLimits, scale: number): boolean {
  if (s.lagMs > limits.maxLagMs * scale) return true;
  if (s.retransmissionsPerSecond < limits.minRetransmissionsPerSecond * scale) return false;
  return s.retransmissionsPerSecond > limits.maxRetransmissionShare * scale * (s.newPerSecond + s.retransmissionsPerSecond);
}

/** The next state from one interval's readings (pure: the tests drive it sample by sample). */
export function nextOverloadState(state: OverloadState, sample: OverloadSample, limits: OverloadLimits, intervalMs: number): OverloadState {
  const perSecond = 1000 / intervalMs;
  const next = {
    lagMs: smooth(state.lagMs, sample.lagMs),
    newPerSecond: smooth(state.newPerSecond, sample.newRequests * perSecond),
    retransmissionsPerSecond: smooth(state.retransmissionsPerSecond, sample.retransmissions * perSecond),
  };
  return { ...next, shedding: over({ ...next, shedding: false }, limits, state.shedding ? 0.5 : 1) };
}

/** Requests seen so far (monotonic), as the transaction layer counts them. */
export type RequestCounts = () => { readonly new: number; readonly retransmitted: number };

export class OverloadMonitor {
  private state = CALM;
  private readonly timer: NodeJS.Timeout;

  constructor(limits: OverloadLimits, counts: RequestCounts, onChange: (state: OverloadState) => void, intervalMs = 100) {
    let last = performance.now();
    let seen = counts();
    this.timer = setInterval(() => {
      const now = performance.now();
      const current = counts();
      const sample = { lagMs: now - last - intervalMs, newRequests: current.new - seen.new, retransmissions: current.retransmitted - seen.retransmitted };
      [last, seen] = [now, current];
      const before = this.state.shedding;
      this.state = nextOverloadState(this.state, sample, limits, intervalMs);
      if (this.state.shedding !== before) onChange(this.state);
    }, intervalMs);
    // The measurement never keeps a stopping node alive.
    this.timer.unref();
  }

  get shedding(): boolean {
    return this.state.shedding;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

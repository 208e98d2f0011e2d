/**
 * The INVITE server transaction: RFC 3261 §17.2.1 (Figure 7) with the Accepted state
 * of RFC 6026 §8.7, which absorbs retransmissions of an INVITE already answered with a
 * 2xx (RFC 3261 alone would hand them to the TU as new requests) and carries the TU's
 * 2xx retransmissions out.
 *
 *                               |INVITE
 *                               |pass INV to TU
 *            INVITE             V send 100 if TU won't in 200 ms
 *            send response+------------+
 *                +--------|            |--------+ 101-199 from TU
 *                |        | Proceeding |        | send response
 *                +------->|            |<-------+
 *                         |            |          Transport Err.
 *                         |            |          Inform TU
 *                         |            |------------------------------+
 *                         +------------+                              |
 *           300-699 from TU |        | 2xx from TU                    |
 *           send response   |        | send response                  |
 *                           |        +------------------+             |
 *            INVITE         V     Timer G fires         |             |
 *            send response+------------+ send response  V             |
 *                +--------|            |--------+ +-----------+       |
 *                |        | Completed  |        | |           |<--+   |
 *                +------->|            |<-------+ | Accepted  |   |   |
 *                         +------------+          |           |---+   |
 *                            |      |             +-----------+       |
 *                        ACK |      | Timer H fires     |  2xx from TU|
 *                        -   |      | or Transport Err. |  send resp. |
 *                            V      | Inform TU         |  INVITE: -  |
 *                   +------------+  |                   |  ACK: to TU |
 *                   | Confirmed  |  |     Timer L fires |             |
 *                   +------------+  |     -             |             |
 *                         |         |                   |             |
 *           Timer I fires |         |                   |             |
 *           -             V         V                   V             |
 *                   +-------------------------------------------+     |
 *                   |                 Terminated                |<----+
 *                   +-------------------------------------------+
 */
import { createResponse, type SipRequest, type SipResponse } from "../message/index.js";
import { isReliable, type AddressedResponse, type Source } from "../transport/endpoint.js";
import { detached } from "../detached-string.js";
import { TimerSet } from "./timer-set.js";
import { timerG, timerH, timerI, timerL } from "./timers.js";
import { checkMove, ServerOutlet, type ServerFailureHandler, type TransactionContext } from "./transaction.js";

export type InviteServerState = "proceeding" | "completed" | "confirmed" | "accepted" | "terminated";

const MOVES: Record<InviteServerState, readonly InviteServerState[]> = {
  proceeding: ["completed", "accepted", "terminated"],
  completed: ["confirmed", "terminated"],
  confirmed: ["terminated"],
  accepted: ["terminated"],
  terminated: [],
};

export class InviteServerTransaction {
  private current: InviteServerState = "proceeding";
  private readonly timers = new TimerSet<"trying" | "G" | "H" | "I" | "L">();
  private readonly reliable: boolean;
  private retransmissions = 0;
  private last: AddressedResponse | undefined;
  private readonly out: ServerOutlet;
  private toTag: string | undefined;

  /**
   * RFC 3261 §17.2.1: "When a server transaction is constructed for a request, it enters
   * the "Proceeding" state. The server transaction MUST generate a 100 (Trying) response
   * unless it knows that the TU will generate a provisional or final response within
   * 200 ms, in which case it MAY generate a 100 (Trying) response."
   * `tryingDelay` is 0 (send it at once) or the 200 ms the TU is trusted to answer in.
   * The request is not kept: after a 2xx the transaction lives on in Accepted for
   * Timer L (32 s), and it needs only the source and its last response for that.
   */
  constructor(
    request: SipRequest,
    readonly source: Source,
    private readonly context: TransactionContext,
    private readonly onFailure: ServerFailureHandler,
    tryingDelay: number,
  ) {
    this.out = new ServerOutlet(context, source, (error) => {
      if (this.current !== "terminated") this.transition("terminated");
      onFailure({ kind: "transport", error });
    });
    this.reliable = isReliable(source.transport);
    this.armTrying(request, tryingDelay);
  }

  // Its own function: a closure over `request` made in the constructor would share the
  // constructor's scope with the outlet's, and keep the INVITE for the transaction's life.
  private armTrying(request: SipRequest, delay: number): void {
    this.timers.start("trying", delay, () => this.respond(createResponse(request, 100)));
  }

  get state(): InviteServerState {
    return this.current;
  }

  /** The To tag of the last response sent, which RFC 2543 ACK matching compares (§17.2.3). */
  get lastToTag(): string | undefined {
    return this.toTag;
  }

  /**
   * Sends a response from the TU. Once a final response has gone out, only a 2xx in
   * Accepted (the TU's retransmission, or another fork's 2xx at a proxy) is sent; any
   * other response is discarded, as RFC 3261 §17.2.2 says of the non-INVITE machine.
   */
  respond(response: SipResponse): void {
    const status = response.status;
    if (this.current === "accepted") {
      // RFC 6026 §8.7: "While in the "Accepted" state, if the TU passes a 2xx response,
      // the server transaction MUST pass the response to the transport layer for
      // transmission."
      if (status >= 200 && status < 300) {
        const addressed = this.out.address(response);
        if (addressed) this.out.send(addressed);
      }
      return;
    }
    if (this.current !== "proceeding") return;
    this.timers.clear("trying");
    this.last = this.out.address(response);
    const toTag = response.toTag;
    this.toTag = toTag === undefined ? undefined : detached(toTag);
    if (!this.last) return;
    this.out.send(this.last);
    if (status < 200) {
      // RFC 3261 §17.2.1: "The TU passes any number of provisional responses to the server
      // transaction. So long as the server transaction is in the "Proceeding" state, each
      // of these MUST be passed to the transport layer for transmission."
      return;
    }
    // RFC 6026 §8.5: "If, while in the "Proceeding" state, the TU passes a 2xx response to
    // the server transaction, the server transaction MUST pass this response to the
    // transport layer for transmission. It is not retransmitted by the server transaction
    // [...] The server transaction MUST then transition to the "Accepted" state."
    // RFC 3261 §17.2.1: "While in the "Proceeding" state, if the TU passes a response with
    // status code from 300 to 699 to the server transaction, the response MUST be passed
    // to the transport layer for transmission, and the state machine MUST enter the
    // "Completed" state."
    this.transition(status < 300 ? "accepted" : "completed");
  }

  /** A retransmission of the INVITE, matched by the transaction layer. */
  receiveRetransmission(): void {
    switch (this.current) {
      case "proceeding":
        // RFC 3261 §17.2.1: "If a request retransmission is received while in the
        // "Proceeding" state, the most recent provisional response that was received from
        // the TU MUST be passed to the transport layer for retransmission."
        if (this.last) this.out.send(this.last);
        return;
      case "completed":
        // RFC 3261 §17.2.1: "while in the "Completed" state, if a request retransmission
        // is received, the server SHOULD pass the response to the transport for
        // retransmission."
        if (this.last) this.out.send(this.last);
        return;
      case "accepted":
        // RFC 6026 §8.7: "The purpose of the "Accepted" state is to absorb retransmissions
        // of an accepted INVITE request. Any such retransmissions are absorbed entirely
        // within the server transaction. They are not passed up to the TU since any
        // downstream UAS cores that accepted the request have taken responsibility for
        // reliability and will already retransmit their 2xx responses if necessary."
        return;
      case "confirmed":
      case "terminated":
        return;
    }
  }

  /**
   * An ACK matched to this transaction. Returns true when the TU must see it: in Accepted
   * it acknowledges a 2xx, which is the TU's business, not the transaction's.
   */
  receiveAck(): boolean {
    switch (this.current) {
      case "completed":
        // RFC 3261 §17.2.1: "If an ACK is received while the server transaction is in the
        // "Completed" state, the server transaction MUST transition to the "Confirmed"
        // state. As Timer G is ignored in this state, any retransmissions of the response
        // will cease."
        this.transition("confirmed");
        return false;
      case "accepted":
        // RFC 6026 §8.7: "If an ACK is received while the INVITE server transaction is in
        // the "Accepted" state, then the ACK must be passed up to the TU."
        return true;
      case "proceeding":
      case "confirmed":
      case "terminated":
        // RFC 3261 §17.2.1: "The purpose of the "Confirmed" state is to absorb any
        // additional ACK messages that arrive". An ACK before any final response
        // acknowledges nothing and is dropped too.
        return false;
    }
  }

  private transition(to: InviteServerState): void {
    checkMove("INVITE server transaction", MOVES, this.current, to);
    this.current = to;
    // Each timer of this machine belongs to one state, so leaving a state stops them all.
    this.timers.clearAll();
    const timers = this.context.timers;
    switch (to) {
      case "completed":
        // RFC 3261 §17.2.1: "For unreliable transports, timer G is set to fire in T1
        // seconds, and is not set to fire for reliable transports. [...] When the
        // "Completed" state is entered, timer H MUST be set to fire in 64*T1 seconds for
        // all transports."
        this.armTimerG();
        this.timers.start("H", timerH(timers), () => this.timerHFired());
        return;
      case "confirmed":
        // RFC 3261 §17.2.1: "When this state is entered, timer I is set to fire in T4
        // seconds for unreliable transports, and zero seconds for reliable transports.
        // [...] Once timer I fires, the server MUST transition to the "Terminated" state."
        this.timers.start("I", timerI(timers, this.reliable), () => this.transition("terminated"));
        return;
      case "accepted":
        // RFC 6026 §8.7: "When the INVITE server transaction enters the "Accepted" state,
        // Timer L MUST be set to fire in 64*T1 for all transports. [...] If Timer L fires
        // while the INVITE server transaction is in the "Accepted" state, the transaction
        // MUST transition to the "Terminated" state."
        this.timers.start("L", timerL(timers), () => this.transition("terminated"));
        return;
      case "terminated":
        this.context.onTerminated();
        return;
    }
  }

  private armTimerG(): void {
    const ms = timerG(this.context.timers, this.reliable, this.retransmissions);
    if (ms !== undefined) this.timers.start("G", ms, () => this.timerGFired());
  }

  // RFC 3261 §17.2.1: "If timer G fires, the response is passed to the transport layer
  // once more for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds.
  // From then on, when timer G fires, the response is passed to the transport again for
  // transmission, and timer G is reset with a value that doubles, unless that value
  // exceeds T2, in which case it is reset with the value of T2."
  private timerGFired(): void {
    this.retransmissions++;
    if (this.last) this.out.send(this.last);
    this.armTimerG();
  }

  // RFC 3261 §17.2.1: "If timer H fires while in the "Completed" state, it implies that
  // the ACK was never received. In this case, the server transaction MUST transition to
  // the "Terminated" state, and MUST indicate to the TU that a transaction failure has
  // occurred."
  private timerHFired(): void {
    this.transition("terminated");
    this.onFailure({ kind: "no-ack" });
  }
}

/**
 * The INVITE client transaction: RFC 3261 §17.1.1 (Figure 5) with the Accepted state
 * of RFC 6026 §8.4, which keeps the transaction alive after a 2xx so that 2xx
 * retransmissions and the 2xx of other forks reach the TU as part of it.
 *
 *                              |INVITE from TU
 *            Timer A fires     |INVITE sent      Timer B fires
 *            Reset A,          V                 or Transport Err.
 *            INVITE sent +-----------+           inform TU
 *              +---------|           |--------------------------+
 *              |         |  Calling  |                          |
 *              +-------->|           |-----------+              |
 * 300-699                +-----------+ 2xx       |              |
 * ACK sent                  |  |       2xx to TU |              |
 * resp. to TU               |  |1xx              |              |
 * +-------------------------+  |1xx to TU        |              |
 * |                            |                 |              |
 * |                1xx         V                 |              |
 * |                1xx to TU   +-----------+     |              |
 * |                +---------|           |     |              |
 * |                |         |Proceeding |     |              |
 * |                +-------->|           |     |              |
 * |                          +-----------+ 2xx |              |
 * |         300-699             |    |     2xx to TU            |
 * |         ACK sent,  +--------+    +---------------+          |
 * |         resp. to TU|                             |          |
 * |                    V                             V          |
 * |              +-----------+                   +----------+   |
 * +------------->|           |Transport Err.     |          |   |
 *                | Completed |Inform TU          | Accepted |   |
 *             +--|           |-------+           |          |-+ |
 *     300-699 |  +-----------+       |           +----------+ | |
 *     ACK sent|    ^  |              |               |  ^     | |
 *             +----+  |              |               |  +-----+ |
 *                     |Timer D fires |  Timer M fires|    2xx   |
 *                     |-             |             - |    2xx to TU
 *                     V              V               V          |
 *                   +--------------------------------+          |
 *                   |           Terminated           |<---------+
 *                   +--------------------------------+
 */
import { createResponse, type SipRequest, type SipResponse } from "../message/index.js";
import { isReliable, type Endpoint, type TransportName } from "../transport/endpoint.js";
import { createNon2xxAck } from "./non-2xx-ack.js";
import { TimerSet } from "./timer-set.js";
import { cancelledInviteWait, timerA, timerB, timerD, timerM } from "./timers.js";
import { TransactionError } from "./transaction-error.js";
import { checkMove, type ResponseHandler, type TransactionContext } from "./transaction.js";

export type InviteClientState = "calling" | "proceeding" | "completed" | "accepted" | "terminated";

const MOVES: Record<InviteClientState, readonly InviteClientState[]> = {
  calling: ["proceeding", "completed", "accepted", "terminated"],
  proceeding: ["completed", "accepted", "terminated"],
  completed: ["terminated"],
  accepted: ["terminated"],
  terminated: [],
};

export class InviteClientTransaction {
  private current: InviteClientState = "calling";
  /** "cancelled": the §9.1 wait for a final response once the TU has sent a CANCEL. */
  private readonly timers = new TimerSet<"A" | "B" | "D" | "M" | "cancelled">();
  /** The transport the INVITE went out on: the sender may move a large request from UDP to TCP (RFC 3261 §18.1.1). */
  private transport: TransportName;
  private retransmissions = 0;
  /** The ACK for a 300-699 response, built once and resent for each retransmission of it. */
  private ack: SipRequest | undefined;
  /**
   * The INVITE, while the machine may still send it or answer for it (Calling and
   * Proceeding). Accepted and Completed last 32 s on UDP (Timers M and D) and need it
   * no more, so it goes: at a few hundred calls a second those states hold thousands
   * of transactions.
   */
  private pending: SipRequest | undefined;

  /**
   * RFC 3261 §17.1.1.2: "The initial state, "calling", MUST be entered when the TU
   * initiates a new client transaction with an INVITE request. The client transaction
   * MUST pass the request to the transport layer for transmission. If an unreliable
   * transport is being used, the client transaction MUST start timer A with a value of
   * T1. For any transport, the client transaction MUST start timer B with a value of
   * 64*T1 seconds."
   */
  constructor(
    request: SipRequest,
    readonly destination: Endpoint,
    private readonly context: TransactionContext,
    private readonly onResponse: ResponseHandler,
  ) {
    this.pending = request;
    this.transport = destination.transport;
    // Timer A waits for the transport the sender actually chose.
    context.sender.sendRequest(request, destination).then(
      (used) => {
        this.transport = used;
        if (this.current === "calling") this.armTimerA();
      },
      () => this.transportFailed(),
    );
    this.timers.start("B", timerB(context.timers), () => this.timerBFired());
  }

  get state(): InviteClientState {
    return this.current;
  }

  /** The INVITE; only the states that use it (Calling, Proceeding) ask. */
  private get request(): SipRequest {
    if (!this.pending) throw new TransactionError("SIP_TRANSACTION_BAD_TRANSITION", `INVITE client transaction: the request is gone in ${this.current}; this is a bug in the transaction layer`);
    return this.pending;
  }

  /**
   * The TU has sent a CANCEL for this INVITE (it does so once the INVITE has a
   * provisional response, §9.1). RFC 3261 §9.1: "a UAC canceling a request cannot rely
   * on receiving a 487 (Request Terminated) response for the original request, as an
   * RFC 2543-compliant UAS will not generate such a response. If there is no final
   * response for the original request in 64*T1 seconds [...], the client SHOULD then
   * consider the original transaction cancelled and SHOULD destroy the client
   * transaction handling the original request." The TU gets the 487 it was owed. A
   * transaction still Calling needs no more: Timer B ends it after the same 64*T1.
   */
  cancelSent(): void {
    if (this.current !== "proceeding") return;
    this.timers.start("cancelled", cancelledInviteWait(this.context.timers), () => {
      const cancelled = createResponse(this.request, 487);
      this.transition("terminated");
      this.onResponse(cancelled);
    });
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.current) {
      case "calling":
      case "proceeding":
        if (status < 200) {
          // RFC 3261 §17.1.1.2: "If the client transaction receives a provisional response
          // while in the "Calling" state, it transitions to the "Proceeding" state. [...]
          // the provisional response MUST be passed to the TU. Any further provisional
          // responses MUST be passed up to the TU while in the "Proceeding" state."
          if (this.current === "calling") this.transition("proceeding");
          this.onResponse(response);
        } else if (status < 300) {
          // RFC 6026 §8.4: "When in either the "Calling" or "Proceeding" states, reception
          // of a 2xx response MUST cause the client transaction to enter the "Accepted"
          // state, and the response MUST be passed up to the TU."
          this.transition("accepted");
          this.onResponse(response);
        } else {
          // RFC 3261 §17.1.1.2: "reception of a response with status code from 300-699
          // MUST cause the client transaction to transition to "Completed". The client
          // transaction MUST pass the received response up to the TU, and the client
          // transaction MUST generate an ACK request, even if the transport is reliable".
          this.ack = createNon2xxAck(this.request, response);
          this.sendAck(this.ack);
          this.transition("completed");
          this.onResponse(response);
        }
        return;
      case "completed":
        // RFC 3261 §17.1.1.2: "Any retransmissions of the final response that are received
        // while in the "Completed" state MUST cause the ACK to be re-passed to the transport
        // layer for retransmission, but the newly received response MUST NOT be passed up
        // to the TU."
        if (status >= 300 && this.ack) this.sendAck(this.ack);
        return;
      case "accepted":
        // RFC 6026 §8.4: "A 2xx response received while in the "Accepted" state MUST be
        // passed to the TU and the machine remains in the "Accepted" state. The client
        // transaction MUST NOT generate an ACK to any 2xx response on its own."
        if (status >= 200 && status < 300) this.onResponse(response);
        return;
      case "terminated":
        return;
    }
  }

  private transition(to: InviteClientState): void {
    checkMove("INVITE client transaction", MOVES, this.current, to);
    this.current = to;
    // Each timer of this machine belongs to one state, so leaving a state stops them all.
    this.timers.clearAll();
    if (to !== "proceeding") this.pending = undefined;
    switch (to) {
      case "proceeding":
        // RFC 3261 §17.1.1.2: "In the "Proceeding" state, the client transaction SHOULD NOT
        // retransmit the request any longer"; Timer B only ends a transaction still Calling.
        return;
      case "completed":
        // RFC 3261 §17.1.1.2: "The client transaction SHOULD start timer D when it enters
        // the "Completed" state, with a value of at least 32 seconds for unreliable
        // transports, and a value of zero seconds for reliable transports. [...] If timer D
        // fires while the client transaction is in the "Completed" state, the client
        // transaction MUST move to the terminated state."
        this.timers.start("D", timerD(this.context.timers, isReliable(this.transport)), () => this.transition("terminated"));
        return;
      case "accepted":
        // RFC 6026 §8.4: "The client transaction MUST start Timer M when it enters the
        // "Accepted" state [...] If Timer M fires while the client transaction is in the
        // "Accepted" state, the client transaction MUST move to the "Terminated" state."
        this.timers.start("M", timerM(this.context.timers), () => this.transition("terminated"));
        return;
      case "terminated":
        this.context.onTerminated();
        return;
    }
  }

  private armTimerA(): void {
    const ms = timerA(this.context.timers, isReliable(this.transport), this.retransmissions);
    if (ms !== undefined) this.timers.start("A", ms, () => this.timerAFired());
  }

  // RFC 3261 §17.1.1.2: "When timer A fires, the client transaction MUST retransmit the
  // request by passing it to the transport layer, and MUST reset the timer with a value
  // of 2*T1. [...] These retransmissions SHOULD only be done while the client transaction
  // is in the "calling" state."
  private timerAFired(): void {
    this.retransmissions++;
    this.context.sender.sendRequest(this.request, this.destination).catch(() => this.transportFailed());
    this.armTimerA();
  }

  // RFC 3261 §17.1.1.2: "If the client transaction is still in the "Calling" state when
  // timer B fires, the client transaction SHOULD inform the TU that a timeout has
  // occurred. The client transaction MUST NOT generate an ACK." §8.1.3.1: the TU treats
  // it as a 408 (Request Timeout), so that is what it gets.
  private timerBFired(): void {
    const timeout = createResponse(this.request, 408);
    this.transition("terminated");
    this.onResponse(timeout);
  }

  // RFC 3261 §17.1.1.3: "The ACK MUST be sent to the same address, port, and transport to
  // which the original request was sent."
  private sendAck(ack: SipRequest): void {
    this.context.sender.sendRequest(ack, { ...this.destination, transport: this.transport }).catch(() => this.transportFailed());
  }

  private transportFailed(): void {
    switch (this.current) {
      case "calling":
      case "proceeding": {
        // RFC 3261 §17.1.4: "the client transaction should inform the TU that a transport
        // failure has occurred, and the client transaction should transition directly to
        // the "Terminated" state." §8.1.3.1: the TU treats it as a 503 (Service Unavailable).
        const unavailable = createResponse(this.request, 503);
        this.transition("terminated");
        this.onResponse(unavailable);
        return;
      }
      case "completed":
        // Figure 5: Completed ends on a transport error too; the ACK cannot get through.
        // The TU already holds the final response, so it gets no second one.
        this.transition("terminated");
        return;
      case "accepted":
      case "terminated":
        // Nothing is sent from Accepted: a late failure of an old retransmission changes nothing.
        return;
    }
  }
}

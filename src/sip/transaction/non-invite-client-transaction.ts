/**
 * The non-INVITE client transaction of RFC 3261 §17.1.2 (Figure 6).
 *
 *                                |Request from TU
 *                                |send request
 *            Timer E             V
 *            send request  +-----------+
 *                +---------|           |-------------------+
 *                |         |  Trying   |  Timer F          |
 *                +-------->|           |  or Transport Err.|
 *                          +-----------+  inform TU        |
 *             200-699         |  |                         |
 *             resp. to TU     |  |1xx                      |
 *             +---------------+  |resp. to TU              |
 *             |                  |                         |
 *             |   Timer E        V       Timer F           |
 *             |   send req +-----------+ or Transport Err. |
 *             |  +---------|           | inform TU         |
 *             |  |         |Proceeding |------------------>|
 *             |  +-------->|           |-----+             |
 *             |            +-----------+     |1xx          |
 *             |              |      ^        |resp to TU   |
 *             | 200-699      |      +--------+             |
 *             | resp. to TU  |                             |
 *             |              |                             |
 *             |              V                             |
 *             |            +-----------+                   |
 *             |            |           |                   |
 *             |            | Completed |                   |
 *             |            |           |                   |
 *             |            +-----------+                   |
 *             |              ^   |                         |
 *             |              |   | Timer K                 |
 *             +--------------+   | -                       |
 *                                |                         |
 *                                V                         |
 *          NOTE:           +-----------+                   |
 *                          |           |                   |
 *      transitions         | Terminated|<------------------+
 *      labeled with        |           |
 *      the event           +-----------+
 *      over the action
 *      to take
 */
import { createResponse, type SipRequest, type SipResponse } from "../message/index.js";
import { isReliable, type Endpoint, type TransportName } from "../transport/endpoint.js";
import { TimerSet } from "./timer-set.js";
import { timerE, timerF, timerK } from "./timers.js";
import { TransactionError } from "./transaction-error.js";
import { checkMove, type ResponseHandler, type TransactionContext } from "./transaction.js";

export type NonInviteClientState = "trying" | "proceeding" | "completed" | "terminated";

const MOVES: Record<NonInviteClientState, readonly NonInviteClientState[]> = {
  trying: ["proceeding", "completed", "terminated"],
  proceeding: ["completed", "terminated"],
  completed: ["terminated"],
  terminated: [],
};

export class NonInviteClientTransaction {
  private current: NonInviteClientState = "trying";
  private readonly timers = new TimerSet<"E" | "F" | "K">();
  /** The transport the request went out on: the sender may move a large request from UDP to TCP (RFC 3261 §18.1.1). */
  private transport: TransportName;
  private retransmissions = 0;
  /**
   * The request, while the machine may still send it or answer for it (Trying and
   * Proceeding). Completed only absorbs response retransmissions, for T4 on UDP, and
   * needs it no more.
   */
  private pending: SipRequest | undefined;

  /**
   * RFC 3261 §17.1.2.2: "The "Trying" state is entered when the TU initiates a new client
   * transaction with a request. When entering this state, the client transaction SHOULD
   * set timer F to fire in 64*T1 seconds. The request MUST be passed to the transport
   * layer for transmission. If an unreliable transport is in use, the client transaction
   * MUST set timer E to fire in T1 seconds."
   */
  constructor(
    request: SipRequest,
    readonly destination: Endpoint,
    private readonly context: TransactionContext,
    private readonly onResponse: ResponseHandler,
  ) {
    this.pending = request;
    this.transport = destination.transport;
    // Timer E waits for the transport the sender actually chose.
    context.sender.sendRequest(request, destination).then(
      (used) => {
        this.transport = used;
        if (this.current === "trying" || this.current === "proceeding") this.armTimerE();
      },
      () => this.transportFailed(),
    );
    this.timers.start("F", timerF(context.timers), () => this.timerFFired());
  }

  get state(): NonInviteClientState {
    return this.current;
  }

  /** The request; only the states that use it (Trying, Proceeding) ask. */
  private get request(): SipRequest {
    if (!this.pending) throw new TransactionError("SIP_TRANSACTION_BAD_TRANSITION", `non-INVITE client transaction: the request is gone in ${this.current}; this is a bug in the transaction layer`);
    return this.pending;
  }

  receiveResponse(response: SipResponse): void {
    if (this.current !== "trying" && this.current !== "proceeding") {
      // RFC 3261 §17.1.2.2: "The "Completed" state exists to buffer any additional
      // response retransmissions that may be received".
      return;
    }
    if (response.status < 200) {
      // RFC 3261 §17.1.2.2: "If a provisional response is received while in the "Trying"
      // state, the response MUST be passed to the TU, and then the client transaction
      // SHOULD move to the "Proceeding" state. [...] If a provisional response is
      // received while in the "Proceeding" state, it MUST be passed to the TU."
      if (this.current === "trying") this.transition("proceeding");
      this.onResponse(response);
      return;
    }
    // RFC 3261 §17.1.2.2: "If a final response (status codes 200-699) is received while
    // in the "Trying" state, the response MUST be passed to the TU, and the client
    // transaction MUST transition to the "Completed" state." (Likewise from "Proceeding".)
    this.transition("completed");
    this.onResponse(response);
  }

  private transition(to: NonInviteClientState): void {
    checkMove("non-INVITE client transaction", MOVES, this.current, to);
    this.current = to;
    if (to !== "proceeding") this.pending = undefined;
    switch (to) {
      case "proceeding":
        // Timers E and F run on: E comes back at T2 the next time it fires (armTimerE).
        return;
      case "completed":
        // RFC 3261 §17.1.2.2: "Once the client transaction enters the "Completed" state,
        // it MUST set Timer K to fire in T4 seconds for unreliable transports, and zero
        // seconds for reliable transports. [...] If Timer K fires while in this state, the
        // client transaction MUST transition to the "Terminated" state."
        this.timers.clearAll();
        this.timers.start("K", timerK(this.context.timers, isReliable(this.transport)), () => this.transition("terminated"));
        return;
      case "terminated":
        this.timers.clearAll();
        this.context.onTerminated();
        return;
    }
  }

  private armTimerE(): void {
    const ms = timerE(this.context.timers, isReliable(this.transport), this.retransmissions, this.current === "proceeding");
    if (ms !== undefined) this.timers.start("E", ms, () => this.timerEFired());
  }

  // RFC 3261 §17.1.2.2: "If timer E fires while still in this state, the timer is reset,
  // but this time with a value of MIN(2*T1, T2). [...] If Timer E fires while in the
  // "Proceeding" state, the request MUST be passed to the transport layer for
  // retransmission, and Timer E MUST be reset with a value of T2 seconds."
  private timerEFired(): void {
    this.retransmissions++;
    this.context.sender.sendRequest(this.request, this.destination).catch(() => this.transportFailed());
    this.armTimerE();
  }

  // RFC 3261 §17.1.2.2: "If Timer F fires while the client transaction is still in the
  // "Trying" state, the client transaction SHOULD inform the TU about the timeout, and
  // then it SHOULD enter the "Terminated" state. [...] If timer F fires while in the
  // "Proceeding" state, the TU MUST be informed of a timeout, and the client transaction
  // MUST transition to the terminated state." §8.1.3.1: the TU treats it as a 408.
  private timerFFired(): void {
    const timeout = createResponse(this.request, 408);
    this.transition("terminated");
    this.onResponse(timeout);
  }

  // RFC 3261 §17.1.4: "the client transaction should inform the TU that a transport
  // failure has occurred, and the client transaction should transition directly to the
  // "Terminated" state." §8.1.3.1: the TU treats it as a 503 (Service Unavailable).
  // Once a final response is in, a late failure of an old retransmission changes nothing.
  private transportFailed(): void {
    if (this.current !== "trying" && this.current !== "proceeding") return;
    const unavailable = createResponse(this.request, 503);
    this.transition("terminated");
    this.onResponse(unavailable);
  }
}

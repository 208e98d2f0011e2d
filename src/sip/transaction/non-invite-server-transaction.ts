/**
 * The non-INVITE server transaction of RFC 3261 §17.2.2 (Figure 8).
 *
 *                                   |Request received
 *                                   |pass to TU
 *                                   V
 *                             +-----------+
 *                             |           |
 *                             | Trying    |-------------+
 *                             |           |             |
 *                             +-----------+             |200-699 from TU
 *                                   |                   |send response
 *                                   |1xx from TU        |
 *                                   |send response      |
 *                                   |                   |
 *                Request            V      1xx from TU  |
 *                send response+-----------+send response|
 *                    +--------|           |--------+    |
 *                    |        | Proceeding|        |    |
 *                    +------->|           |<-------+    |
 *             +<--------------|           |             |
 *             |Trnsprt Err    +-----------+             |
 *             |Inform TU            |                   |
 *             |                     |                   |
 *             |                     |200-699 from TU    |
 *             |                     |send response      |
 *             |  Request            V                   |
 *             |  send response+-----------+             |
 *             |      +--------|           |             |
 *             |      |        | Completed |<------------+
 *             |      +------->|           |
 *             +<--------------|           |
 *             |Trnsprt Err    +-----------+
 *             |Inform TU            |
 *             |                     |Timer J fires
 *             |                     |-
 *             |                     |
 *             |                     V
 *             |               +-----------+
 *             |               |           |
 *             +-------------->| Terminated|
 *                             |           |
 *                             +-----------+
 */
import type { SipResponse } from "../message/index.js";
import { isReliable, type AddressedResponse, type Source } from "../transport/endpoint.js";
import { TimerSet } from "./timer-set.js";
import { timerJ } from "./timers.js";
import { checkMove, ServerOutlet, type ServerFailureHandler, type TransactionContext } from "./transaction.js";

export type NonInviteServerState = "trying" | "proceeding" | "completed" | "terminated";

const MOVES: Record<NonInviteServerState, readonly NonInviteServerState[]> = {
  trying: ["proceeding", "completed", "terminated"],
  proceeding: ["completed", "terminated"],
  completed: ["terminated"],
  terminated: [],
};

export class NonInviteServerTransaction {
  private current: NonInviteServerState = "trying";
  private readonly timers = new TimerSet<"J">();
  private last: AddressedResponse | undefined;
  private readonly out: ServerOutlet;

  /**
   * RFC 3261 §17.2.2: "The state machine is initialized in the "Trying" state and is
   * passed a request other than INVITE or ACK when initialized. This request is passed
   * up to the TU." Unlike INVITE, nothing is sent until the TU answers. The machine
   * keeps only the source and the responses: a Completed transaction lives on for
   * Timer J (32 s on UDP), and at thousands of requests a second the parsed requests
   * it would otherwise hold are most of the heap.
   */
  constructor(
    readonly source: Source,
    private readonly context: TransactionContext,
    onFailure: ServerFailureHandler,
  ) {
    this.out = new ServerOutlet(context, source, (error) => {
      if (this.current !== "terminated") this.transition("terminated");
      onFailure({ kind: "transport", error });
    });
  }

  get state(): NonInviteServerState {
    return this.current;
  }

  /**
   * Sends a response from the TU; once a final response has gone out, any other is
   * discarded. `stateless`: the TU answers as a stateless UAS (RFC 3261 §8.2.7), which
   * "discards any state that would ordinarily be retained by a UAS after a response has
   * been sent. If a stateless UAS receives a retransmission of a request, it regenerates
   * the response and resends it". A final response then ends the transaction at once
   * instead of keeping it in Completed for Timer J: a retransmission is a new request.
   */
  respond(response: SipResponse, stateless = false): void {
    if (this.current !== "trying" && this.current !== "proceeding") {
      // RFC 3261 §17.2.2: "Any other final responses passed by the TU to the server
      // transaction MUST be discarded while in the "Completed" state."
      return;
    }
    this.last = this.out.address(response);
    if (!this.last) return;
    this.out.send(this.last);
    if (response.status < 200) {
      // RFC 3261 §17.2.2: "While in the "Trying" state, if the TU passes a provisional
      // response to the server transaction, the server transaction MUST enter the
      // "Proceeding" state. [...] Any further provisional responses that are received
      // from the TU while in the "Proceeding" state MUST be passed to the transport layer
      // for transmission."
      if (this.current === "trying") this.transition("proceeding");
      return;
    }
    // RFC 3261 §17.2.2: "If the TU passes a final response (status codes 200-699) to the
    // server while in the "Proceeding" state, the transaction MUST enter the "Completed"
    // state, and the response MUST be passed to the transport layer for transmission."
    // Answered statelessly (§8.2.7), it keeps nothing: it ends at once.
    this.transition(stateless ? "terminated" : "completed");
  }

  /** A retransmission of the request, matched by the transaction layer. */
  receiveRetransmission(): void {
    switch (this.current) {
      case "trying":
        // RFC 3261 §17.2.2: "Once in the "Trying" state, any further request
        // retransmissions are discarded."
        return;
      // RFC 3261 §17.2.2: "If a retransmission of the request is received while in the
      // "Proceeding" state, the most recently sent provisional response MUST be passed to
      // the transport layer for retransmission. [...] While in the "Completed" state, the
      // server transaction MUST pass the final response to the transport layer for
      // retransmission whenever a retransmission of the request is received."
      case "proceeding":
      case "completed":
        if (this.last) this.out.send(this.last);
        return;
      case "terminated":
        return;
    }
  }

  private transition(to: NonInviteServerState): void {
    checkMove("non-INVITE server transaction", MOVES, this.current, to);
    this.current = to;
    this.timers.clearAll();
    switch (to) {
      case "completed":
        // RFC 3261 §17.2.2: "When the server transaction enters the "Completed" state, it
        // MUST set Timer J to fire in 64*T1 seconds for unreliable transports, and zero
        // seconds for reliable transports. [...] The server transaction remains in this
        // state until Timer J fires, at which point it MUST transition to the
        // "Terminated" state."
        this.timers.start("J", timerJ(this.context.timers, isReliable(this.source.transport)), () => this.transition("terminated"));
        return;
      case "terminated":
        this.context.onTerminated();
        return;
    }
  }
}

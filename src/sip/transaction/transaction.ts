/**
 * What every transaction is given by its owner, and the shapes of what it reports
 * to the TU.
 */
import type { SipResponse } from "../message/index.js";
import type { AddressedResponse, MessageSender, Source } from "../transport/endpoint.js";
import type { TimerConfig } from "./timers.js";
import { TransactionError } from "./transaction-error.js";

export interface TransactionContext {
  /** The only way out to the network: a transaction never touches a socket. */
  readonly sender: MessageSender;
  readonly timers: TimerConfig;
  /** Called once, on entering Terminated, so that the owner forgets the transaction. */
  readonly onTerminated: () => void;
}

/**
 * A client transaction's one report to its TU: every response it must see, including
 * the 408 it synthesises when Timer B or F fires and the 503 when the transport fails
 * (RFC 3261 §17.1.4, §16.7: the TU treats them as if received).
 */
export type ResponseHandler = (response: SipResponse) => void;

/** Why a server transaction ended without completing its exchange (RFC 3261 §17.2.1, §17.2.4). */
export type ServerFailure =
  | { readonly kind: "no-ack" }
  | { readonly kind: "transport"; readonly error: unknown };

export type ServerFailureHandler = (failure: ServerFailure) => void;

/**
 * Checks a move against a state machine's table; each machine calls it first in its
 * `transition()`, so that an impossible move is a loud bug, never a silent one.
 */
export function checkMove<S extends string>(machine: string, moves: Readonly<Record<S, readonly S[]>>, from: S, to: S): void {
  if (!moves[from].includes(to)) {
    throw new TransactionError("SIP_TRANSACTION_BAD_TRANSITION", `${machine}: no move from ${from} to ${to}; this is a bug in the transaction layer`);
  }
}

/**
 * A server transaction's way out: each response is serialized and addressed once and
 * sent from those bytes, however often it is retransmitted. RFC 3261 §17.2.4: "If
 * those should all fail [...] the server transaction SHOULD inform the TU that a
 * failure has occurred, and SHOULD transition to the terminated state." The first
 * failure, to address a response or to send one, reaches `failed`; later ones are no
 * news. (On a reliable transport Timer J is 0, so a transaction may have ended before
 * its send failed: the TU is told all the same, once.)
 */
export class ServerOutlet {
  private hasFailed = false;

  constructor(
    private readonly context: TransactionContext,
    private readonly source: Source,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Undefined when the response cannot be addressed (the failure is reported). */
  address(response: SipResponse): AddressedResponse | undefined {
    try {
      return this.context.sender.addressResponse(response, this.source);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  send(response: AddressedResponse): void {
    this.context.sender.sendResponse(response, this.sent);
  }

  /** One callback for every send of this transaction's responses, made once. */
  private readonly sent = (error: unknown): void => {
    if (error !== undefined) this.fail(error);
  };

  private fail(error: unknown): void {
    if (this.hasFailed) return;
    this.hasFailed = true;
    this.failed(error);
  }
}

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
 * A server transaction's way out (RFC 3261 §17.2.4): the response is serialized and
 * addressed once, and every failure, to address it or to send it, reaches `failed`,
 * which ends the transaction and tells the TU. Undefined: it could not be addressed.
 */
export function addressResponse(context: TransactionContext, response: SipResponse, source: Source, failed: (error: unknown) => void): AddressedResponse | undefined {
  try {
    return context.sender.addressResponse(response, source);
  } catch (error) {
    failed(error);
    return undefined;
  }
}

export function sendAddressed(context: TransactionContext, response: AddressedResponse, failed: (error: unknown) => void): void {
  context.sender.sendResponse(response).catch(failed);
}

import type { SipRequest, SipResponse } from "../../sip/message/index.js";
import type { Source } from "../../sip/transport/endpoint.js";
import type { Logger } from "../../log/logger.js";
import type { ServerTransaction } from "../../sip/transaction/index.js";

/**
 * A request as the PBX's stages see it: the message, where it came from, a logger
 * that carries its Call-ID and branch, and the one way to answer it (through its
 * server transaction, so retransmissions are absorbed).
 */
export interface IncomingRequest {
  readonly request: SipRequest;
  readonly source: Source;
  readonly log: Logger;
  /** The request's server transaction: a proxy forwards the request through it (RFC 3261 §16). */
  readonly transaction?: ServerTransaction;
  respond(response: SipResponse): void;
}

/** A stage answers the request (`"handled"`) or passes it on (`"next"`). */
export type StageResult = "handled" | "next";
/** Stages that wait on shared state (authentication, the registrar) return a promise. */
export type Stage = (incoming: IncomingRequest) => StageResult | Promise<StageResult>;

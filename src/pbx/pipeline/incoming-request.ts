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
  /**
   * `stateless`: answer as a stateless UAS (RFC 3261 §8.2.7), whose "most common use
   * [...] is to respond to unauthenticated requests with a challenge": a retransmission
   * of the request is answered afresh instead of from a transaction kept for 32 s. An
   * INVITE keeps its transaction all the same, to absorb the ACK of its final response.
   */
  respond(response: SipResponse, stateless?: boolean): void;
}

/** A stage answers the request (`"handled"`) or passes it on (`"next"`). */
export type StageResult = "handled" | "next";
/** Stages that wait on shared state (authentication, the registrar) return a promise. */
export type Stage = (incoming: IncomingRequest) => StageResult | Promise<StageResult>;

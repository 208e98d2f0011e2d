import type { Logger } from "../../log/logger.js";
import type { SipRequest, SipResponse } from "../../sip/message/index.js";
import { NonInviteServerTransaction, type ServerTransaction } from "../../sip/transaction/index.js";
import type { Source } from "../../sip/transport/endpoint.js";
import type { IncomingRequest } from "./incoming-request.js";

/**
 * The IncomingRequest a node hands its pipeline for a request with its server
 * transaction. The per-call logger (Call-ID and branch) is made on first use: most
 * requests log nothing, and a pino child with its redaction is not free at thousands
 * of requests a second. A class, so that every request has the same shape: an object
 * literal with a getter of its own costs a fresh accessor and closures each time.
 */
export class InboundRequest implements IncomingRequest {
  private logger: Logger | undefined;

  constructor(
    readonly request: SipRequest,
    readonly source: Source,
    readonly transaction: ServerTransaction,
    private readonly nodeLog: Logger,
  ) {}

  get log(): Logger {
    return (this.logger ??= this.nodeLog.child({ callId: this.request.callId, branch: this.request.via.branch }));
  }

  respond(response: SipResponse, stateless = false): void {
    if (stateless && this.transaction instanceof NonInviteServerTransaction) this.transaction.respond(response, true);
    else this.transaction.respond(response);
  }
}

/**
 * Requests dispatched by method: those this node answers itself as a UAS (RFC 3261
 * §8.2: OPTIONS, REGISTER, CANCEL) and those it proxies (INVITE, MESSAGE). Allow is
 * made from what is registered, so it always tells the truth.
 */
import { createResponse } from "../../sip/message/index.js";
import type { IncomingRequest, Stage, StageResult } from "./incoming-request.js";
import { refuseUnsupported } from "./sanity-checks.js";

export class MethodDispatch {
  private readonly handlers = new Map<string, Stage>();

  register(method: string, handler: Stage): this {
    this.handlers.set(method, handler);
    return this;
  }

  /** The methods for Allow: the registered ones, and ACK and CANCEL, which the transaction layer serves. */
  allow(): string[] {
    return [...new Set([...this.handlers.keys(), "ACK", "CANCEL"])];
  }

  dispatch(incoming: IncomingRequest): StageResult | Promise<StageResult> {
    const handler = this.handlers.get(incoming.request.method);
    if (!handler) {
      // RFC 3261 §8.2.1: a method we do not implement is 501, with Allow.
      const response = createResponse(incoming.request, 501);
      response.headers.set("Allow", this.allow().join(", "));
      incoming.respond(response);
      return "handled";
    }
    // RFC 3261 §8.2.2.3: a UAS refuses a Require it does not support.
    if (refuseUnsupported(incoming, "Require") === "handled") return "handled";
    return handler(incoming);
  }
}

/**
 * CANCEL (RFC 3261 §9.2, §16.10): 200 when it matches a transaction, 481 when it
 * does not. `match` finds what the INVITE started and returns how to stop it (a proxy
 * cancels its branches, whose 487s go back as the INVITE's answer); §16.10: "the
 * element MUST immediately return a 200 (OK) response to the CANCEL request", so the
 * 200 goes before anything the stopping sends.
 */
import { createResponse, type SipRequest } from "../../sip/message/index.js";
import type { IncomingRequest, StageResult } from "./incoming-request.js";

export function cancelHandler(match: (request: SipRequest) => (() => void) | undefined): (incoming: IncomingRequest) => StageResult {
  return (incoming) => {
    const stop = match(incoming.request);
    incoming.respond(createResponse(incoming.request, stop ? 200 : 481));
    stop?.();
    return "handled";
  };
}

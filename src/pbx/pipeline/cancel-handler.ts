/**
 * CANCEL (RFC 3261 §9.2, §16.10): 200 when it matches a transaction, 481 when it
 * does not. `cancel` stops what the INVITE started (a proxy cancels its branches,
 * whose 487s go back as the INVITE's answer) and says whether it matched.
 */
import { createResponse, type SipRequest } from "../../sip/message/index.js";
import type { IncomingRequest, StageResult } from "./incoming-request.js";

export function cancelHandler(cancel: (request: SipRequest) => boolean): (incoming: IncomingRequest) => StageResult {
  return (incoming) => {
    incoming.respond(createResponse(incoming.request, cancel(incoming.request) ? 200 : 481));
    return "handled";
  };
}

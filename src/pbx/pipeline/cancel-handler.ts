/**
 * CANCEL at a UAS (RFC 3261 §9.2): 200 when it matches a transaction, 481 when it
 * does not. The INVITE it cancels is answered 487 by whoever holds that INVITE.
 */
import { createResponse, type SipRequest } from "../../sip/message/index.js";
import type { IncomingRequest, StageResult } from "./incoming-request.js";

export function cancelHandler(findInvite: (cancel: SipRequest) => unknown): (incoming: IncomingRequest) => StageResult {
  return (incoming) => {
    const found = findInvite(incoming.request) !== undefined;
    incoming.respond(createResponse(incoming.request, found ? 200 : 481));
    return "handled";
  };
}

/**
 * OPTIONS (RFC 3261 §11): phones and trunks use it as a ping, so the answer is a
 * 200 that says what this node can do.
 */
import { createResponse } from "../../sip/message/index.js";
import { ACCEPTED_BODY_TYPES, SUPPORTED_OPTION_TAGS } from "./capabilities.js";
import type { IncomingRequest, StageResult } from "./incoming-request.js";

export function optionsHandler(allow: () => string[]): (incoming: IncomingRequest) => StageResult {
  return (incoming) => {
    const response = createResponse(incoming.request, 200);
    // RFC 3261 §11.2: Allow, Accept, Accept-Encoding, Accept-Language and Supported.
    response.headers.set("Allow", allow().join(", "));
    response.headers.set("Accept", ACCEPTED_BODY_TYPES.join(", "));
    response.headers.set("Accept-Encoding", "identity");
    response.headers.set("Accept-Language", "en");
    response.headers.set("Supported", SUPPORTED_OPTION_TAGS.join(", "));
    incoming.respond(response);
    return "handled";
  };
}

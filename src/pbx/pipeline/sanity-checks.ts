/**
 * The first stage of the request pipeline (kamailio.cfg's "initial checks"):
 * RFC 3261 §16.3 request validation, in the RFC's order.
 */
import { checkStructuredHeaders, createResponse, SipParseError } from "../../sip/message/index.js";
import { unsupportedOptionTags } from "./capabilities.js";
import type { IncomingRequest, StageResult } from "./incoming-request.js";

const ROUTABLE_SCHEMES = new Set(["sip", "sips", "tel"]);

/** OPTIONS with no user part is addressed to this node itself, not to a user behind it. */
function isAddressedToNode(incoming: IncomingRequest): boolean {
  const uri = incoming.request.requestUri;
  return (uri.scheme === "sip" || uri.scheme === "sips") && !("user" in uri && uri.user !== undefined);
}

export function sanityChecks(incoming: IncomingRequest): StageResult {
  const { request } = incoming;
  const reply = (status: number, reason?: string) => {
    incoming.respond(createResponse(request, status, reason));
    return "handled" as const;
  };
  // RFC 3261 §16.3 step 1: reasonable syntax. The parser checked the hot headers;
  // the headers this node acts on are checked in full here.
  try {
    checkStructuredHeaders(request);
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    incoming.log.info({ code: err.code, reason: err.reason }, "malformed request refused");
    return reply(err.status, err.reason);
  }
  // RFC 3261 §16.3 step 2 and §8.2.2.1: a scheme we cannot route is 416.
  if (!ROUTABLE_SCHEMES.has(request.requestUri.scheme)) return reply(416);
  // RFC 3261 §16.3 step 3: Max-Forwards 0 is 483, except that a proxy MAY answer an
  // OPTIONS addressed to itself (§11, RFC 4475 §3.3.14).
  if (request.maxForwards === 0 && !(request.method === "OPTIONS" && isAddressedToNode(incoming))) return reply(483);
  // RFC 3261 §16.3 step 5: Proxy-Require with option tags we do not support is 420.
  return refuseUnsupported(incoming, "Proxy-Require");
}

/**
 * RFC 3261 §8.2.2.3 (Require, at a UAS) and §16.3 step 5 (Proxy-Require, at a
 * proxy): option tags we do not support are refused with 420 and listed in
 * Unsupported. Never for ACK or CANCEL.
 */
export function refuseUnsupported(incoming: IncomingRequest, header: "Require" | "Proxy-Require"): StageResult {
  const { request } = incoming;
  if (request.method === "ACK" || request.method === "CANCEL") return "next";
  const unsupported = unsupportedOptionTags(request.headers.values(header));
  if (unsupported.length === 0) return "next";
  const response = createResponse(request, 420);
  response.headers.set("Unsupported", unsupported.join(", "));
  incoming.respond(response);
  return "handled";
}

/**
 * The deep check a UAS or registrar makes of a request it acts on itself: every
 * structured header Strowger knows the grammar of, parsed in full. The parser only
 * checks the hot headers; a proxy forwards the rest untouched, so only the element
 * that consumes a header pays for parsing it.
 */
import type { SipMessage } from "./message.js";
import { fail } from "./parse-error.js";

const ADDRESS_LISTS = ["contact", "route", "record-route", "path"];

export function checkStructuredHeaders(msg: SipMessage): void {
  if (msg.kind === "request") {
    const uri = msg.requestUri;
    if ("headers" in uri && uri.headers !== undefined) fail("SIP_BAD_URI", "Headers not allowed in Request-URI");
  }
  void msg.vias;
  void msg.fromUri;
  void msg.toUri;
  // RFC 3261 §10.2.2: "Contact: *" removes every binding; `addresses` leaves it out,
  // and the registrar refuses it unless alone with Expires 0.
  for (const key of ADDRESS_LISTS) void msg.addresses(key);
}

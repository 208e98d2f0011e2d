/**
 * The deep check a UAS or registrar makes of a request it acts on itself: every
 * structured header Strowger knows the grammar of, parsed in full. The parser only
 * checks the hot headers; a proxy forwards the rest untouched, so only the element
 * that consumes a header pays for parsing it.
 */
import type { SipMessage } from "./message.js";
import { parseNameAddr } from "./name-addr.js";
import { fail } from "./parse-error.js";
import { parseUri } from "./uri.js";

const ADDRESS_LISTS = ["contact", "route", "record-route", "path"];

export function checkStructuredHeaders(msg: SipMessage): void {
  if (msg.kind === "request") {
    const uri = msg.requestUri;
    if ("headers" in uri && uri.headers !== undefined) fail("SIP_BAD_URI", "Headers not allowed in Request-URI");
  }
  void msg.vias;
  parseUri(msg.from.uri);
  parseUri(msg.to.uri);
  for (const key of ADDRESS_LISTS) {
    for (const value of msg.headers.values(key)) {
      // RFC 3261 §10.2.2: "Contact: *" removes every binding.
      if (key === "contact" && value === "*") continue;
      parseUri(parseNameAddr(value).uri);
    }
  }
}

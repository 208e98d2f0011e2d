/**
 * Addresses of record (RFC 3261 §10.3 step 5): the To URI of a REGISTER made
 * canonical, `sip:user@domain`, so that every spelling of one user finds one set of
 * bindings.
 */
import { isSipUri, unescapeUriPart, type SipUri, type Uri } from "../../sip/message/index.js";

export function canonicalAor(uri: SipUri): string {
  // RFC 3261 §10.3 step 5: "converting it to the form sip:user@domain ... all URI
  // parameters MUST be removed (including the user-param), and any escaped
  // characters MUST be converted to their unescaped form".
  return `sip:${unescapeUriPart(uri.user ?? "")}@${uri.host.toLowerCase()}`;
}

/** The To URI of a REGISTER as a SIP URI, or undefined (RFC 4475 §3.3.4 unksm2: a registrar refuses it with 400). */
export function registerTarget(toUri: Uri): SipUri | undefined {
  return isSipUri(toUri) && toUri.user !== undefined ? toUri : undefined;
}

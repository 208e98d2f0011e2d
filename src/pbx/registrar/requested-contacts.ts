/**
 * What a REGISTER asks for (RFC 3261 §10.2, §10.3 steps 6–7): either "remove every
 * binding" (`Contact: *` with Expires 0) or a list of contacts, each with the
 * expiry it wants, its q-value and its RFC 5626 instance and reg-id.
 */
import {
  fail,
  findParam,
  isSipUri,
  parseDecimal,
  type SipRequest,
  type SipUri,
} from "../../sip/message/index.js";

export interface RequestedContact {
  /** The Contact URI as written inside the brackets (escapes and URI parameters kept). */
  readonly contact: string;
  readonly uri: SipUri;
  /** Seconds asked for, before the registrar's minimum and maximum are applied. */
  readonly expires: number;
  readonly q?: number;
  readonly instanceId?: string;
  readonly regId?: number;
}

export type RegisterRequest = { readonly kind: "remove-all" } | { readonly kind: "contacts"; readonly contacts: RequestedContact[] };

/** Values past this are read as "as long as allowed" (RFC 4475 §3.1.2.4: overlarge Expires may be treated as the default). */
const EXPIRES_CEILING = 2 ** 32 - 1;

function readExpires(value: string): number {
  return parseDecimal(value, "expires", Infinity) > EXPIRES_CEILING ? EXPIRES_CEILING : Number(value);
}

// RFC 3261 §20.10: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
const QVALUE = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/;

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

export function readRegisterRequest(request: SipRequest, defaultExpires: number): RegisterRequest {
  const values = request.headers.values("Contact");
  const expiresHeader = request.headers.get("Expires");
  // RFC 3261 §10.2.1.1: the Expires header field gives the default for every contact.
  const headerExpires = expiresHeader === undefined ? defaultExpires : readExpires(expiresHeader);
  if (values.includes("*")) {
    // RFC 3261 §10.3 step 6: "*" only alone and only with Expires 0, else 400.
    if (values.length !== 1 || headerExpires !== 0) fail("SIP_BAD_HEADER", "Contact * needs Expires: 0 and no other contact");
    return { kind: "remove-all" };
  }
  const contacts = request.addresses("Contact").map(({ nameAddr: na, uri }): RequestedContact => {
    if (!isSipUri(uri)) fail("SIP_BAD_URI", "Contact must be a sip or sips URI");
    const expires = findParam(na.params, "expires")?.value;
    const q = findParam(na.params, "q")?.value;
    if (q != null && !QVALUE.test(q)) fail("SIP_BAD_HEADER", "Malformed Contact q-value");
    const instance = findParam(na.params, "+sip.instance")?.value;
    const regId = findParam(na.params, "reg-id")?.value;
    return {
      contact: na.uri,
      uri,
      expires: expires == null ? headerExpires : readExpires(expires),
      ...(q != null && { q: Number(q) }),
      ...(instance != null && { instanceId: unquote(instance) }),
      ...(regId != null && { regId: parseDecimal(regId, "reg-id", 2 ** 31 - 1) }),
    };
  });
  return { kind: "contacts", contacts };
}

/**
 * URIs of RFC 3261 §19.1 (sip, sips) and RFC 3966 (tel); any other absoluteURI is
 * kept whole. Escapes stay as written (the user part `%41` and `A` are equal when
 * compared, §19.1.4, but a proxy forwards what it received).
 */
import { formatHostPort, parseHostPort } from "./host.js";
import { findParam, formatParams, type Param } from "./lex.js";
import { fail } from "./parse-error.js";

export interface SipUri {
  readonly scheme: "sip" | "sips";
  readonly user?: string;
  readonly password?: string;
  readonly host: string;
  readonly port?: number;
  readonly params: readonly Param[];
  /** The `?h=v&...` part without the `?`, escaped as written. */
  readonly headers?: string;
}

export interface TelUri {
  readonly scheme: "tel";
  /** The telephone-subscriber number as written, visual separators included. */
  readonly number: string;
  readonly params: readonly Param[];
}

/** A URI of a scheme Strowger does not route on (RFC 3261 §8.2.2.1: 416). */
export interface OtherUri {
  readonly scheme: string;
  readonly rest: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === "sip" || uri.scheme === "sips";
}

// unreserved / escaped / user-unreserved (RFC 3261 §25.1)
const USER_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const PASSWORD_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/;
// paramchar = param-unreserved / unreserved / escaped
const PARAM_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/;
// hname/hvalue = hnv-unreserved / unreserved / escaped
const HEADERS_CHARS = /^(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$=&]|%[0-9A-Fa-f]{2})*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
// RFC 3966 §3: visual separators, digits, and * # for local numbers
const TEL_NUMBER = /^\+?[0-9A-Fa-f*#\-.()]+$/;

function uriParams(s: string): Param[] {
  if (s.length === 0) return [];
  const params: Param[] = [];
  for (const part of s.split(";")) {
    const eq = part.indexOf("=");
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? null : part.slice(eq + 1);
    if (!PARAM_CHARS.test(name) || (value !== null && !PARAM_CHARS.test(value))) {
      fail("SIP_BAD_URI", "Malformed URI parameter");
    }
    params.push({ name, value });
  }
  return params;
}

function parseSip(scheme: "sip" | "sips", rest: string): SipUri {
  const at = rest.indexOf("@");
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const colon = userinfo.indexOf(":");
    user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    password = colon === -1 ? undefined : userinfo.slice(colon + 1);
    if (!USER_CHARS.test(user)) fail("SIP_BAD_URI", "Malformed user part in URI");
    if (password !== undefined && !PASSWORD_CHARS.test(password)) fail("SIP_BAD_URI", "Malformed password in URI");
  }
  const [hostPort, end] = parseHostPort(hostPart, 0, "SIP_BAD_URI", "URI");
  let params: Param[] = [];
  let headers: string | undefined;
  let i = end;
  if (i < hostPart.length && hostPart.charCodeAt(i) === 0x3b /* ; */) {
    const q = hostPart.indexOf("?", i);
    params = uriParams(hostPart.slice(i + 1, q === -1 ? undefined : q));
    i = q === -1 ? hostPart.length : q;
  }
  if (i < hostPart.length) {
    if (hostPart.charCodeAt(i) !== 0x3f /* ? */) fail("SIP_BAD_URI", "Unexpected character after URI host");
    headers = hostPart.slice(i + 1);
    if (!HEADERS_CHARS.test(headers)) fail("SIP_BAD_URI", "Malformed URI headers");
  }
  return { scheme, user, password, host: hostPort.host, port: hostPort.port, params, headers };
}

function parseTel(rest: string): TelUri {
  const semi = rest.indexOf(";");
  const number = semi === -1 ? rest : rest.slice(0, semi);
  if (!TEL_NUMBER.test(number)) fail("SIP_BAD_URI", "Malformed tel URI number");
  return { scheme: "tel", number, params: semi === -1 ? [] : uriParams(rest.slice(semi + 1)) };
}

export function parseUri(raw: string): Uri {
  const colon = raw.indexOf(":");
  if (colon <= 0) fail("SIP_BAD_URI", "URI without a scheme");
  const schemeText = raw.slice(0, colon);
  if (!SCHEME.test(schemeText)) fail("SIP_BAD_URI", "Malformed URI scheme");
  const rest = raw.slice(colon + 1);
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3c || c === 0x3e || c === 0x22) fail("SIP_BAD_URI", "Illegal character in URI");
  }
  const scheme = schemeText.toLowerCase();
  if (scheme === "sip" || scheme === "sips") return parseSip(scheme, rest);
  if (scheme === "tel") return parseTel(rest);
  if (rest.length === 0) fail("SIP_BAD_URI", "Empty URI");
  return { scheme, rest };
}

export function formatUri(uri: Uri): string {
  if (isSipUri(uri)) {
    let s = `${uri.scheme}:`;
    if (uri.user !== undefined) s += uri.password !== undefined ? `${uri.user}:${uri.password}@` : `${uri.user}@`;
    s += formatHostPort(uri);
    s += formatParams(uri.params);
    if (uri.headers !== undefined) s += `?${uri.headers}`;
    return s;
  }
  if (uri.scheme === "tel") {
    const tel = uri as TelUri;
    return `tel:${tel.number}${formatParams(tel.params)}`;
  }
  return `${uri.scheme}:${(uri as OtherUri).rest}`;
}

export function uriParam(uri: SipUri | TelUri, name: string): string | null | undefined {
  return findParam(uri.params, name)?.value;
}

/** RFC 3261 §19.1.4: escaped characters compare equal to their unescaped form. */
export function unescapeUriPart(s: string): string {
  if (s.indexOf("%") === -1) return s;
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The transport a SIP URI asks for (RFC 3263 §4.1), defaulting to UDP for sip: and TLS for sips:. */
export function uriTransport(uri: SipUri): string {
  const t = uriParam(uri, "transport");
  if (typeof t === "string") return t.toUpperCase();
  return uri.scheme === "sips" ? "TLS" : "UDP";
}

/**
 * A URI in the form RFC 3261 §19.1.4 compares: scheme, user (unescaped, case kept),
 * host (case-folded), the port as written, and the five parameters that must match
 * when present (transport, user, ttl, method, maddr); other parameters and headers
 * do not take part.
 */
export function comparableUri(uri: SipUri): string {
  const significant = uri.params
    .filter((p) => ["transport", "user", "ttl", "method", "maddr"].includes(p.name.toLowerCase()))
    .map((p) => `${p.name.toLowerCase()}=${(p.value ?? "").toLowerCase()}`)
    .sort();
  const user = uri.user === undefined ? "" : `${unescapeUriPart(uri.user)}@`;
  const port = uri.port === undefined ? "" : `:${uri.port}`;
  return `${uri.scheme}:${user}${uri.host.toLowerCase()}${port}${significant.map((p) => `;${p}`).join("")}`;
}

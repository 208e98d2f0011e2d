/**
 * The lexer shared by credentials and challenges: an auth-scheme, then
 * comma-separated auth-params whose values are tokens or quoted strings.
 *
 * RFC 3261 §25.1:
 *   challenge     = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 *   credentials   = ("Digest" LWS digest-response) / other-response
 *   auth-param    = auth-param-name EQUAL ( token / quoted-string )
 *   EQUAL = SWS "=" SWS        COMMA = SWS "," SWS
 *   LWS = [*WSP CRLF] 1*WSP    SWS = [LWS]
 *   quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
 *   qdtext        = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
 *   quoted-pair   = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 *
 * Input is a header value as the message parser gives it (latin1: one char an
 * octet), or any string; every defect is a DigestError, never another exception.
 */
import { isTokenChar, isWhitespace } from "../message/lex.js";
import { refuse } from "./digest-error.js";

/** Longest header value we read: the message parser's own line limit (`maxLineLength`). */
export const MAX_AUTH_VALUE_LENGTH = 8_192;

export interface AuthParam {
  /** The name as written; look-ups use its lower-case form. */
  readonly name: string;
  /** The value with quotes removed, quoted-pairs unescaped and folds made one SP. */
  readonly value: string;
  readonly quoted: boolean;
}

export interface AuthValue {
  /** The scheme as written ("Digest", "digest", ...). */
  readonly scheme: string;
  /** Every auth-param, in order, by lower-case name. */
  readonly params: ReadonlyMap<string, AuthParam>;
}

const CR = 0x0d;
const LF = 0x0a;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index past SWS at `i`: spaces, tabs, and folds (CRLF followed by at least one WSP). */
function skipSws(s: string, i: number): number {
  for (;;) {
    while (i < s.length && isWhitespace(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) === CR && s.charCodeAt(i + 1) === LF && isWhitespace(s.charCodeAt(i + 2))) i += 3;
    else return i;
  }
}

function skipToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/** Parses `scheme LWS auth-param *(COMMA auth-param)`; `what` names the header in reasons. */
export function parseAuthValue(s: string, what: string): AuthValue {
  if (typeof s !== "string") refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: not text`);
  if (s.length > MAX_AUTH_VALUE_LENGTH) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: too long`);
  let i = skipSws(s, 0);
  const schemeEnd = skipToken(s, i);
  if (schemeEnd === i) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: no auth scheme`);
  const scheme = s.slice(i, schemeEnd);
  // RFC 7235 §2.1: "auth-scheme ... case-insensitive token". RFC 3261 §22.4: SIP
  // defines Digest only; RFC 3261 §22.1: any other scheme is answered with a challenge.
  if (scheme.toLowerCase() !== "digest") refuse("SIP_DIGEST_NOT_DIGEST", `Unsupported auth scheme ${scheme.slice(0, 32)}`, 401);
  i = skipSws(s, schemeEnd);
  if (i === s.length) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: no parameters`);
  // "Digest" LWS digest-cln: at least one whitespace between scheme and first param.
  if (i === schemeEnd) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: no space after scheme`);

  const params = new Map<string, AuthParam>();
  for (;;) {
    const nameEnd = skipToken(s, i);
    if (nameEnd === i) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: expected a parameter name`);
    const name = s.slice(i, nameEnd);
    i = skipSws(s, nameEnd);
    if (s.charCodeAt(i) !== 0x3d /* = */) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: no '=' after ${name.slice(0, 32)}`);
    i = skipSws(s, i + 1);
    let value: string;
    let quoted: boolean;
    if (s.charCodeAt(i) === DQUOTE) {
      [value, i] = readQuoted(s, i, what);
      quoted = true;
    } else {
      const valueEnd = skipToken(s, i);
      if (valueEnd === i) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: no value for ${name.slice(0, 32)}`);
      value = s.slice(i, valueEnd);
      quoted = false;
      i = valueEnd;
    }
    const key = name.toLowerCase();
    // RFC 7235 §2.1: "Each parameter name MUST only occur once per challenge." We
    // hold credentials to the same: two values for one name leave no safe choice.
    if (params.has(key)) refuse("SIP_DIGEST_DUPLICATE_PARAM", `Duplicate ${name.slice(0, 32)} in ${what}`);
    params.set(key, { name, value, quoted });
    i = skipSws(s, i);
    if (i === s.length) return { scheme, params };
    if (s.charCodeAt(i) !== 0x2c /* , */) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: expected ',' after ${name.slice(0, 32)}`);
    i = skipSws(s, i + 1);
    // RFC 3261 has no empty list elements: COMMA = SWS "," SWS, then a dig-resp.
    if (i === s.length) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: trailing ','`);
  }
}

/** Reads the quoted-string whose DQUOTE is at `start`; returns its content and the index past it. */
function readQuoted(s: string, start: number, what: string): [string, number] {
  let out = "";
  let from = start + 1;
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE) return [out + s.slice(from, i), i + 1];
    if (c === BACKSLASH) {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): anything but CR, LF and non-ASCII.
      const e = s.charCodeAt(i + 1);
      if (Number.isNaN(e) || e === CR || e === LF || e > 0x7f) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: bad escape in quoted string`);
      out += s.slice(from, i) + s[i + 1];
      i += 2;
      from = i;
    } else if (c === CR) {
      // qdtext = LWS / ...: a fold inside the quotes, which is one SP (RFC 3261 §7.3.1).
      if (s.charCodeAt(i + 1) !== LF || !isWhitespace(s.charCodeAt(i + 2))) refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: CR in quoted string`);
      let end = i;
      while (end > from && isWhitespace(s.charCodeAt(end - 1))) end--;
      out += `${s.slice(from, end)} `;
      i = skipSws(s, i);
      from = i;
    } else if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: control character in quoted string`);
    } else {
      i++;
    }
  }
  return refuse("SIP_DIGEST_MALFORMED", `Malformed ${what}: unterminated quoted string`);
}

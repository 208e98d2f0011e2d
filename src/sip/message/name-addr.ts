/**
 * The value of From, To, Contact, Route, Record-Route and the like (RFC 3261 §20.10,
 * §25.1): `( name-addr / addr-spec ) *( SEMI generic-param )`. The URI is kept as a
 * string and parsed on demand (`parseUri`): the hot path wants only the tag.
 */
import { findParam, formatParams, isTokenChar, isWhitespace, parseParams, skipQuoted, tokenRunEnd, type Param } from "./lex.js";
import { fail } from "./parse-error.js";

export interface NameAddr {
  /** The display name as written: a quoted-string keeps its quotes. */
  readonly displayName?: string;
  readonly uri: string;
  readonly params: readonly Param[];
}

const SCHEME_PREFIX = /^[A-Za-z][A-Za-z0-9+\-.]*:\S/;

/**
 * The URI is only checked for a scheme here: From and To are parsed on every message
 * for their tags, and a proxy forwards the URI as it came. Whoever acts on the URI
 * parses it in full (parseUri, or checkStructuredHeaders for a UAS), and refuses it then.
 */
function checkUriText(uri: string): void {
  if (!SCHEME_PREFIX.test(uri) || uri.indexOf(" ") !== -1) fail("SIP_BAD_NAME_ADDR", "Address without a URI scheme, or with spaces");
}

/** display-name = *(token LWS) / quoted-string */
function checkDisplayName(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isTokenChar(c) && !isWhitespace(c)) fail("SIP_BAD_NAME_ADDR", "Display name must be quoted");
  }
}

export function parseNameAddr(value: string): NameAddr {
  let i = 0;
  const n = value.length;
  while (i < n && isWhitespace(value.charCodeAt(i))) i++;
  let displayName: string | undefined;
  let uri: string;
  let rest: number;
  let open = -1;
  if (value.charCodeAt(i) === 0x22 /* " */) {
    const end = skipQuoted(value, i, "SIP_BAD_NAME_ADDR");
    displayName = value.slice(i, end);
    open = end;
    while (open < n && isWhitespace(value.charCodeAt(open))) open++;
    if (value.charCodeAt(open) !== 0x3c) fail("SIP_BAD_NAME_ADDR", "Quoted display name without <URI>");
  } else {
    open = value.indexOf("<", i);
    if (value.indexOf('"', i) !== -1 && (open === -1 || value.indexOf('"', i) < open)) {
      fail("SIP_BAD_NAME_ADDR", "Misplaced quote in address");
    }
    if (open !== -1) {
      // RFC 4475 §3.1.1.6: a token display name directly followed by < is accepted.
      const text = value.slice(i, open).trim();
      checkDisplayName(text);
      if (text.length > 0) displayName = text;
    }
  }
  if (open !== -1) {
    const close = value.indexOf(">", open);
    if (close === -1) fail("SIP_BAD_NAME_ADDR", "Unterminated <URI> in address");
    uri = value.slice(open + 1, close);
    rest = close + 1;
  } else {
    // RFC 3261 §20.10: without brackets, a ';' ends the URI and the URI may hold no '?' or ','.
    let end = i;
    while (end < n && value.charCodeAt(end) !== 0x3b && !isWhitespace(value.charCodeAt(end))) end++;
    uri = value.slice(i, end);
    if (uri.includes("?") || uri.includes(",")) fail("SIP_BAD_NAME_ADDR", "URI with headers must be in <brackets>");
    rest = end;
  }
  checkUriText(uri);
  return { displayName, uri, params: parseParams(value, rest, "SIP_BAD_NAME_ADDR", "address") };
}

export function formatNameAddr(na: NameAddr): string {
  const name = na.displayName === undefined ? "" : `${na.displayName} `;
  return `${name}<${na.uri}>${formatParams(na.params)}`;
}

export function nameAddrTag(na: NameAddr): string | undefined {
  return findParam(na.params, "tag")?.value ?? undefined;
}

/** `tag`, case-insensitively, at s[start, end), without making a string of it. */
function isTagName(s: string, start: number, end: number): boolean {
  return end - start === 3 && (s.charCodeAt(start) | 0x20) === 0x74 && (s.charCodeAt(start + 1) | 0x20) === 0x61 && (s.charCodeAt(start + 2) | 0x20) === 0x67;
}

/**
 * The tag of a From or To value, read without parsing the rest: every message needs
 * its tags (transaction and dialog matching), few need the whole address. Header
 * parameters follow the `>` of a name-addr, or, for an addr-spec, its first `;`
 * (RFC 3261 §20.10). A value with a quoted display name is parsed in full, since a
 * quoted string may hold anything.
 */
export function scanTag(value: string): string | undefined {
  const n = value.length;
  let from = 0;
  const quote = value.indexOf('"');
  if (quote !== -1) {
    // A quoted display name (the usual `"Reception" <sip:...>`) is stepped over; a
    // quote anywhere else is left to the full parser.
    let i = 0;
    while (i < n && isWhitespace(value.charCodeAt(i))) i++;
    if (quote !== i) return nameAddrTag(parseNameAddr(value));
    from = skipQuoted(value, quote, "SIP_BAD_NAME_ADDR");
    if (value.indexOf('"', from) !== -1) return nameAddrTag(parseNameAddr(value));
  }
  const close = value.indexOf(">", from);
  const params = close === -1 ? from : close;
  // The common spelling first: `;tag=` with no white space.
  const plain = value.indexOf(";tag=", params);
  if (plain !== -1) {
    const end = tokenRunEnd(value, plain + 5);
    return end > plain + 5 ? value.slice(plain + 5, end) : undefined;
  }
  let i = value.indexOf(";", params);
  while (i !== -1) {
    let j = i + 1;
    while (j < n && isWhitespace(value.charCodeAt(j))) j++;
    const nameStart = j;
    while (j < n && isTokenChar(value.charCodeAt(j))) j++;
    const nameEnd = j;
    while (j < n && isWhitespace(value.charCodeAt(j))) j++;
    if (isTagName(value, nameStart, nameEnd) && value.charCodeAt(j) === 0x3d /* = */) {
      j++;
      while (j < n && isWhitespace(value.charCodeAt(j))) j++;
      const tagStart = j;
      while (j < n && isTokenChar(value.charCodeAt(j))) j++;
      return j > tagStart ? value.slice(tagStart, j) : undefined;
    }
    i = value.indexOf(";", j);
  }
  return undefined;
}

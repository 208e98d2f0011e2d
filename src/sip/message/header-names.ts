/**
 * Header field names: case-insensitive (RFC 3261 §7.3.1), with the compact forms of
 * §7.3.3 and RFC 3841/3891/3892/4028/3515. A `key` is the lower-case long form.
 */
const COMPACT: Record<string, string> = {
  a: "accept-contact",
  b: "referred-by",
  c: "content-type",
  d: "request-disposition",
  e: "content-encoding",
  f: "from",
  i: "call-id",
  j: "reject-contact",
  k: "supported",
  l: "content-length",
  m: "contact",
  o: "event",
  r: "refer-to",
  s: "subject",
  t: "to",
  u: "allow-events",
  v: "via",
  x: "session-expires",
  y: "identity",
};

/** The form Strowger writes when it creates a header (unknown ones keep the caller's spelling). */
const canonicalCache = new Map<string, string>();

const CANONICAL: Record<string, string> = {
  "call-id": "Call-ID",
  cseq: "CSeq",
  "www-authenticate": "WWW-Authenticate",
  "mime-version": "MIME-Version",
};

/** Header names common enough to be looked up without allocating (the hot path). */
const KNOWN = [
  "via", "from", "to", "call-id", "cseq", "contact", "max-forwards", "content-length", "content-type",
  "route", "record-route", "authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate",
  "expires", "min-expires", "allow", "supported", "require", "proxy-require", "unsupported", "user-agent",
  "server", "accept", "event", "path", "date", "subject", "organization", "reason", "p-asserted-identity",
  "p-preferred-identity", "privacy", "refer-to", "referred-by", "session-expires", "min-se", "rseq", "rack",
  "timestamp", "warning", "retry-after", "allow-events", "content-disposition", "content-encoding",
  "authentication-info", "diversion", "history-info", "replaces", "service-route", "subscription-state",
];

/**
 * A trie of the header names phones actually write, spelled exactly as they write
 * them (the RFC's spelling, and the compact letters): node * 128 + char -> next node
 * (0: none). The parser walks it while it scans a name; a name found here costs no
 * string of its own (the trie hands back the interned one) and no case folding.
 */
const trieNext: number[] = [0];
const trieNames: Array<{ name: string; key: string } | undefined> = [undefined];
function addName(name: string, key: string): void {
  let node = 0;
  for (let i = 0; i < name.length; i++) {
    const slot = node * 128 + name.charCodeAt(i);
    if (!trieNext[slot]) {
      trieNext[slot] = trieNames.length;
      trieNames.push(undefined);
      trieNext.length = trieNames.length * 128;
    }
    node = trieNext[slot]!;
  }
  trieNames[node] = { name, key };
}

const TRIE = (() => {
  for (const key of KNOWN) addName(canonicalName(key), key);
  for (const [letter, key] of Object.entries(COMPACT)) {
    addName(letter, key);
    addName(letter.toUpperCase(), key);
  }
  return Int32Array.from(trieNext, (n) => n ?? 0);
})();

/** One step of the trie (root 0); -1 means "not a name as phones spell it" and stays -1. */
export function trieStep(node: number, c: number): number {
  if (node < 0 || c >= 128) return -1;
  const next = TRIE[node * 128 + c]!;
  return next === 0 ? -1 : next;
}

/** The name (as written) and key ending at `node`, if one does. */
export function trieName(node: number): { readonly name: string; readonly key: string } | undefined {
  return node > 0 ? trieNames[node] : undefined;
}

export function headerKey(name: string): string {
  let node = 0;
  for (let i = 0; i < name.length && node >= 0; i++) node = trieStep(node, name.charCodeAt(i));
  const known = trieName(node);
  if (known !== undefined) return known.key;
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** The spelling Strowger writes a header it creates in (cached: responses set several per request). */
export function canonicalName(key: string): string {
  let name = canonicalCache.get(key);
  if (name === undefined) {
    name = CANONICAL[key] ?? key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    // Bounded, so that a flood of invented header names cannot grow it.
    if (canonicalCache.size < 1024) canonicalCache.set(key, name);
  }
  return name;
}

/**
 * Headers whose values are comma-separated lists that may be split and joined
 * (RFC 3261 §7.3.1). The authentication headers and Date are not: commas are part
 * of their values.
 */
const LIST_HEADERS = new Set([
  "via", "contact", "route", "record-route", "allow", "supported", "require",
  "proxy-require", "unsupported", "accept", "accept-encoding", "accept-language",
  "content-encoding", "content-language", "in-reply-to", "path", "service-route",
  "allow-events", "alert-info", "call-info", "error-info", "warning", "reason",
]);

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

/** Headers a message may carry once only (RFC 3261 §20 and RFC 4475 §3.1.2.13), as bits of a mask. */
export const SINGLE_HEADER_BIT: Readonly<Record<string, number>> = {
  "call-id": 1, from: 2, to: 4, cseq: 8, "max-forwards": 16, "content-length": 32,
};

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
const CANONICAL: Record<string, string> = {
  "call-id": "Call-ID",
  cseq: "CSeq",
  "www-authenticate": "WWW-Authenticate",
  "mime-version": "MIME-Version",
};

const keyCache = new Map<string, string>();

export function headerKey(name: string): string {
  const cached = keyCache.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const key = COMPACT[lower] ?? lower;
  // The cache is bounded so that a flood of invented header names cannot grow it.
  if (keyCache.size < 4096) keyCache.set(name, key);
  return key;
}

export function canonicalName(key: string): string {
  return CANONICAL[key] ?? key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
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

/** Headers a message may carry once only (RFC 3261 §20 and RFC 4475 §3.1.2.13). */
export const SINGLE_HEADERS: readonly string[] = [
  "call-id", "from", "to", "cseq", "max-forwards", "content-length",
];

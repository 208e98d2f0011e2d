/**
 * The Authorization / Proxy-Authorization value (RFC 3261 §22.4, §25.1; RFC 7616
 * §3.4; RFC 8760): reading what a UA sent, and writing what we send to a peer
 * that challenges us (a carrier trunk).
 *
 * RFC 3261 §25.1:
 *   digest-response = dig-resp *(COMMA dig-resp)
 *   dig-resp        = username / realm / nonce / digest-uri / dresponse / algorithm /
 *                     cnonce / opaque / message-qop / nonce-count / auth-param
 *
 * We accept either form (token or quoted string) for every value, as Kamailio does:
 * UAs quote `qop` and `algorithm` (curl, some phones) or not, and a value means the
 * same either way. We write each in the form the grammar gives it.
 */
import { algorithmInfo, parseAlgorithm } from "./algorithm.js";
import { misuse, refuse } from "./digest-error.js";
import { formatAuthValue, type FormattedParam, type ValueForm } from "./format-auth-params.js";
import { parseAuthValue, type AuthParam } from "./parse-auth-params.js";

export interface DigestCredentials {
  /** As written: "Digest" in any case. */
  readonly scheme: string;
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  /** The digest-uri, used in A2 as sent (RFC 7616 §3.4.3). */
  readonly uri: string;
  /** The request-digest in hex, as sent. */
  readonly response: string;
  /** As sent; see `parseAlgorithm`. Absent means MD5. */
  readonly algorithm?: string;
  readonly cnonce?: string;
  readonly opaque?: string;
  /** message-qop, as sent ("auth"); absent in the legacy RFC 2069 form. */
  readonly qop?: string;
  /** nonce-count, exactly as sent (8 hex digits): it is hashed as text. */
  readonly nc?: string;
  /** `nc` as a number, for replay checks. */
  readonly nonceCount?: number;
  /** Every auth-param, known ones included, by lower-case name, unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

const WHAT = "credentials";
const HEX = /^[0-9a-fA-F]+$/;
// RFC 3261 §25.1: nc-value = 8LHEX. Upper case is accepted: it is still hex.
const NC_VALUE = /^[0-9a-fA-F]{8}$/;

function required(params: ReadonlyMap<string, AuthParam>, name: string): string {
  const p = params.get(name);
  if (p === undefined) refuse("SIP_DIGEST_MISSING_PARAM", `Missing ${name} in ${WHAT}`);
  return p.value;
}

/**
 * Parses an Authorization or Proxy-Authorization value. Throws DigestError, and
 * nothing else, on any defect: `status` 400 for a malformed value, 401 (challenge
 * afresh) for a scheme other than Digest.
 */
export function parseCredentials(value: string): DigestCredentials {
  const { scheme, params } = parseAuthValue(value, WHAT);
  const username = required(params, "username");
  const realm = required(params, "realm");
  const nonce = required(params, "nonce");
  const uri = required(params, "uri");
  const response = required(params, "response");
  const algorithm = params.get("algorithm")?.value;
  const cnonce = params.get("cnonce")?.value;
  const opaque = params.get("opaque")?.value;
  const qop = params.get("qop")?.value;
  const nc = params.get("nc")?.value;

  // RFC 3261 §25.1: request-digest = LDQUOT 32LHEX RDQUOT; with RFC 8760's SHA-256
  // it is as long as that hash in hex, 64 digits.
  const known = parseAlgorithm(algorithm);
  if (!HEX.test(response) || response.length > 128 || (known !== undefined && response.length !== algorithmInfo(known).hexLength)) {
    refuse("SIP_DIGEST_BAD_VALUE", `Malformed response in ${WHAT}`);
  }
  // RFC 7616 §3.4: nc is "the hexadecimal count of the number of requests (including the
  // current request)" sent with the nonce, so 00000000 is never right. Refused here, before
  // any digest is computed, so the answer cannot depend on the password.
  if (nc !== undefined && (!NC_VALUE.test(nc) || Number.parseInt(nc, 16) === 0)) refuse("SIP_DIGEST_BAD_VALUE", `Malformed nc in ${WHAT}`);
  // RFC 2617 §3.2.2, kept by RFC 7616 §3.4, of cnonce and of nonce-count alike: "This
  // MUST be specified if a qop directive is sent".
  if (qop !== undefined) {
    if (cnonce === undefined) refuse("SIP_DIGEST_MISSING_PARAM", `Missing cnonce in ${WHAT} with qop`);
    if (nc === undefined) refuse("SIP_DIGEST_MISSING_PARAM", `Missing nc in ${WHAT} with qop`);
  }

  const values = new Map<string, string>();
  for (const [key, p] of params) values.set(key, p.value);
  return {
    scheme,
    username,
    realm,
    nonce,
    uri,
    response,
    ...(algorithm !== undefined && { algorithm }),
    ...(cnonce !== undefined && { cnonce }),
    ...(opaque !== undefined && { opaque }),
    ...(qop !== undefined && { qop }),
    ...(nc !== undefined && { nc, nonceCount: Number.parseInt(nc, 16) }),
    params: values,
  };
}

/** What `formatCredentials` writes; `params` adds auth-params we do not know by name. */
export type CredentialsFields = Omit<DigestCredentials, "scheme" | "nonceCount" | "params"> & {
  readonly params?: ReadonlyMap<string, string>;
};

/** Known parameters in the order RFC 3261 §22.4 writes them, each in its grammar's form. */
const KNOWN: ReadonlyArray<readonly [keyof CredentialsFields & string, ValueForm]> = [
  ["username", "quoted"], // username-value = quoted-string
  ["realm", "quoted"], // realm-value = quoted-string
  ["nonce", "quoted"], // nonce-value = quoted-string
  ["uri", "quoted"], // digest-uri = "uri" EQUAL LDQUOT digest-uri-value RDQUOT
  ["response", "quoted"], // request-digest = LDQUOT 32LHEX RDQUOT
  ["algorithm", "token"], // algorithm = "algorithm" EQUAL ( "MD5" / "MD5-sess" / token )
  ["cnonce", "quoted"], // cnonce-value = nonce-value
  ["opaque", "quoted"], // opaque = "opaque" EQUAL quoted-string
  ["qop", "token"], // message-qop = "qop" EQUAL qop-value
  ["nc", "token"], // nc-value = 8LHEX
];
const KNOWN_NAMES = new Set<string>(KNOWN.map(([name]) => name));

/** Writes an Authorization / Proxy-Authorization value (the UAC side, towards a trunk). */
export function formatCredentials(fields: CredentialsFields): string {
  const out: FormattedParam[] = [];
  for (const [name, form] of KNOWN) {
    const value = fields[name];
    if (typeof value === "string") out.push({ name, value, form });
  }
  const seen = new Set(KNOWN_NAMES);
  for (const [name, value] of fields.params ?? []) {
    const key = name.toLowerCase();
    if (KNOWN_NAMES.has(key)) continue;
    if (seen.has(key)) misuse("SIP_DIGEST_CANNOT_FORMAT", `Duplicate parameter ${name}`);
    seen.add(key);
    out.push({ name, value, form: "auto" });
  }
  return formatAuthValue("Digest", out);
}

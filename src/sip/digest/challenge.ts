/**
 * The WWW-Authenticate / Proxy-Authenticate value (RFC 3261 §22.1, §25.1; RFC 7616
 * §3.3; RFC 8760): writing the challenge we send, and reading one a peer sends
 * us (a carrier trunk that challenges our REGISTER or INVITE).
 *
 * RFC 3261 §25.1:
 *   digest-cln  = realm / domain / nonce / opaque / stale / algorithm / qop-options / auth-param
 *   stale       = "stale" EQUAL ( "true" / "false" )
 *   qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT
 */
import { algorithmInfo, type DigestAlgorithm } from "./algorithm.js";
import { misuse, refuse } from "./digest-error.js";
import { formatAuthValue, type FormattedParam } from "./format-auth-params.js";
import { parseAuthValue } from "./parse-auth-params.js";

export interface DigestChallenge {
  readonly scheme: string;
  readonly realm: string;
  readonly nonce: string;
  /** As sent; absent means MD5 (RFC 7616 §3.3). */
  readonly algorithm?: string;
  /** The qop-options offered, in order; absent in the legacy RFC 2069 form. */
  readonly qop?: readonly string[];
  readonly opaque?: string;
  readonly domain?: string;
  readonly stale: boolean;
  /** Every auth-param, known ones included, by lower-case name, unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

/**
 * "auth" is the only quality of protection we offer (auth-int would hash the body,
 * which a proxy cannot promise to leave alone). "none" is the LEGACY RFC 2069 form
 * with no qop, for old phones that cannot do better: it has no cnonce and no nonce
 * count, so a captured response can be replayed for as long as the nonce lives.
 */
export type ChallengeQop = "auth" | "none";

export interface ChallengeOptions {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: ChallengeQop;
  readonly opaque?: string;
  /** RFC 7616 §3.3: the credentials were good but their nonce was too old. */
  readonly stale?: boolean;
}

/** Writes the value of a WWW-Authenticate or Proxy-Authenticate header. */
export function formatChallenge(options: ChallengeOptions): string {
  // RFC 7616 §3.4.2: for a "-sess" algorithm, A1 holds the cnonce, and RFC 2617
  // §3.2.2 (kept by RFC 7616 §3.4): cnonce "MUST NOT be specified if the server did
  // not send a qop directive".
  if (algorithmInfo(options.algorithm).sess && options.qop === "none") {
    misuse("SIP_DIGEST_CANNOT_FORMAT", `${options.algorithm} needs qop=auth`);
  }
  const params: FormattedParam[] = [
    { name: "realm", value: options.realm, form: "quoted" },
    { name: "nonce", value: options.nonce, form: "quoted" },
    // RFC 8760 has a UAS send one challenge an algorithm, in order of preference;
    // naming it even for MD5 leaves a UA nothing to guess.
    { name: "algorithm", value: options.algorithm, form: "token" },
  ];
  if (options.qop === "auth") params.push({ name: "qop", value: "auth", form: "quoted" });
  if (options.opaque !== undefined) params.push({ name: "opaque", value: options.opaque, form: "quoted" });
  // RFC 2617 §3.2.1 (RFC 7616 §3.3 keeps it): "If stale is FALSE, or anything other
  // than TRUE, or the stale directive is not present, the username and/or password
  // are invalid": so it is written only when true.
  if (options.stale === true) params.push({ name: "stale", value: "true", form: "token" });
  return formatAuthValue("Digest", params);
}

/** Reads a WWW-Authenticate or Proxy-Authenticate value; throws DigestError only. */
export function parseChallenge(value: string): DigestChallenge {
  const { scheme, params } = parseAuthValue(value, "challenge");
  const realm = params.get("realm")?.value ?? refuse("SIP_DIGEST_MISSING_PARAM", "Missing realm in challenge");
  const nonce = params.get("nonce")?.value ?? refuse("SIP_DIGEST_MISSING_PARAM", "Missing nonce in challenge");
  const algorithm = params.get("algorithm")?.value;
  const opaque = params.get("opaque")?.value;
  const domain = params.get("domain")?.value;
  const qopValue = params.get("qop")?.value;
  let qop: string[] | undefined;
  if (qopValue !== undefined) {
    // qop-options: a comma-separated list inside the quotes, with SWS around commas.
    qop = qopValue
      .split(",")
      .map((q) => q.trim())
      .filter((q) => q.length > 0);
    if (qop.length === 0) refuse("SIP_DIGEST_BAD_VALUE", "Empty qop in challenge");
  }
  // RFC 2617 §3.2.1: "If stale is TRUE (case-insensitive)"; anything else is false.
  const stale = params.get("stale")?.value.toLowerCase() === "true";
  const values = new Map<string, string>();
  for (const [key, p] of params) values.set(key, p.value);
  return {
    scheme,
    realm,
    nonce,
    ...(algorithm !== undefined && { algorithm }),
    ...(qop !== undefined && { qop }),
    ...(opaque !== undefined && { opaque }),
    ...(domain !== undefined && { domain }),
    stale,
    params: values,
  };
}

/**
 * The digest algorithms we compute (RFC 7616 §3.3, §6.1; RFC 8760 for SIP),
 * and the hash H of each. SHA-512-256 is registered too; we do not offer it, and a
 * UA that answers with it (or any other token) is challenged afresh.
 */
import { createHash } from "node:crypto";

export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze(["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"]);

interface AlgorithmInfo {
  readonly hash: "md5" | "sha256";
  /** Length of H(x) in lower-case hex: the length of HA1 and of the response. */
  readonly hexLength: 32 | 64;
  /** RFC 7616 §3.4.2: a "-sess" variant keys A1 to the nonce and cnonce. */
  readonly sess: boolean;
}

const INFO: Readonly<Record<DigestAlgorithm, AlgorithmInfo>> = {
  MD5: { hash: "md5", hexLength: 32, sess: false },
  "MD5-sess": { hash: "md5", hexLength: 32, sess: true },
  "SHA-256": { hash: "sha256", hexLength: 64, sess: false },
  "SHA-256-sess": { hash: "sha256", hexLength: 64, sess: true },
};

const BY_LOWER = new Map<string, DigestAlgorithm>(DIGEST_ALGORITHMS.map((a) => [a.toLowerCase(), a]));

export function algorithmInfo(algorithm: DigestAlgorithm): AlgorithmInfo {
  return INFO[algorithm];
}

/**
 * The algorithm an `algorithm` parameter names, matched without regard to case (UAs
 * write "MD5-Sess", "md5"); undefined for one we do not compute.
 * RFC 2617 §3.2.1, kept by RFC 7616 §3.3: "If this is not present it is assumed
 * to be "MD5"."
 */
export function parseAlgorithm(token: string | undefined): DigestAlgorithm | undefined {
  if (token === undefined) return "MD5";
  return BY_LOWER.get(token.toLowerCase());
}

/**
 * The octets a string stands for. Text from the wire comes from the message parser
 * as latin1 (one char an octet) and goes back to those octets; a string with a char
 * above U+00FF cannot be such text, so it is real Unicode and is sent as UTF-8
 * (RFC 7616 §4: UTF-8 is the only charset). For ASCII, which is what phones send in
 * practice, both readings agree.
 */
function octets(s: string): Buffer {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return Buffer.from(s, "utf8");
  return Buffer.from(s, "latin1");
}

/** H(parts joined by ":") in lower-case hex, per RFC 7616 §3.4.1 (KD(secret, data) = H(secret ":" data)). */
export function digestHex(algorithm: DigestAlgorithm, parts: readonly string[], encoding: "wire" | "utf8" = "wire"): string {
  const text = parts.join(":");
  return createHash(INFO[algorithm].hash)
    .update(encoding === "utf8" ? Buffer.from(text, "utf8") : octets(text))
    .digest("hex");
}

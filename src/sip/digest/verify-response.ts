/**
 * Checking the response of a UA's credentials against a stored HA1, in constant
 * time. This is the protocol half of authentication only; the caller (the PBX's
 * authentication stage) also checks, in this order:
 *   1. the credentials' realm is ours and their nonce is ours (NonceService: an
 *      "invalid" one gets a fresh challenge);
 *   2. the uri names the Request-URI (RFC 7616 §3.4.6), as its policy has it;
 *   3. the HA1 it passes is the user's for `credentialsAlgorithm(credentials)`;
 *   4. on a match with a "stale" nonce, a fresh challenge with stale=true — RFC 2617
 *      §3.2.1: "The server should only set stale to TRUE if it receives a request for
 *      which the nonce is invalid but with a valid digest for that nonce";
 *   5. on a match with a "valid" nonce, that `nonceCount` is above the last one seen
 *      for that nonce (RFC 7616 §3.4, "nc"), in the shared store with the nonce's
 *      `expiresAt` as TTL.
 */
import { timingSafeEqual } from "node:crypto";
import { parseAlgorithm, type DigestAlgorithm } from "./algorithm.js";
import type { DigestCredentials } from "./credentials.js";
import { refuse } from "./digest-error.js";
import { expectedResponse } from "./digest-response.js";

const HEX = /^[0-9a-fA-F]+$/;

/**
 * The algorithm the credentials use. One we do not compute is answered with a fresh
 * challenge (`status` 401), which tells the UA the algorithms we do.
 */
export function credentialsAlgorithm(credentials: Pick<DigestCredentials, "algorithm">): DigestAlgorithm {
  return (
    parseAlgorithm(credentials.algorithm) ??
    refuse("SIP_DIGEST_UNSUPPORTED_ALGORITHM", `Unsupported algorithm ${String(credentials.algorithm).slice(0, 32)}`, 401)
  );
}

export interface VerifyOptions {
  /**
   * Accept the LEGACY RFC 2069 form (no qop, hence no cnonce and no nonce count,
   * hence no replay protection within the nonce's lifetime). Only for phones that
   * cannot do qop=auth; off by default, so a UA cannot downgrade by dropping qop.
   */
  readonly allowLegacyRfc2069?: boolean;
}

/**
 * True when the credentials' response is the one `ha1` gives for `method`. Throws
 * DigestError (status 401: challenge afresh) for credentials it cannot check: an
 * algorithm or qop we do not support, or no qop when the legacy form is not allowed;
 * and (no status) when `ha1` is not a digest of the credentials' algorithm.
 */
export function verifyResponse(credentials: DigestCredentials, ha1: string, method: string, options: VerifyOptions = {}): boolean {
  const algorithm = credentialsAlgorithm(credentials);
  if (credentials.qop === undefined && options.allowLegacyRfc2069 !== true) {
    refuse("SIP_DIGEST_UNSUPPORTED_QOP", "Credentials without qop (RFC 2069) not accepted", 401);
  }
  const expected = Buffer.from(
    expectedResponse({
      algorithm,
      ha1,
      method,
      uri: credentials.uri,
      nonce: credentials.nonce,
      ...(credentials.nc !== undefined && { nc: credentials.nc }),
      ...(credentials.cnonce !== undefined && { cnonce: credentials.cnonce }),
      ...(credentials.qop !== undefined && { qop: credentials.qop }),
    }),
    "hex",
  );
  const { response } = credentials;
  // Lengths are public (they follow from the algorithm), so this early exit leaks
  // nothing; timingSafeEqual needs equal lengths. Hex compares as octets, so case is moot.
  if (response.length !== expected.length * 2 || !HEX.test(response)) return false;
  return timingSafeEqual(expected, Buffer.from(response, "hex"));
}

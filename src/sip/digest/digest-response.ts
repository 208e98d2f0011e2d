/**
 * The request-digest (RFC 7616 §3.4.1–§3.4.3; RFC 3261 §22.4; RFC 8760).
 *
 *   response = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2))   qop=auth
 *   response = KD(H(A1), unq(nonce) ":" H(A2))                          LEGACY RFC 2069, no qop
 *   A1       = unq(username) ":" unq(realm) ":" passwd
 *   A1-sess  = H(unq(username) ":" unq(realm) ":" passwd) ":" unq(nonce) ":" unq(cnonce)
 *   A2       = Method ":" request-uri
 *   KD(secret, data) = H(secret ":" data)
 *
 * H(A1) is what we store for a user: `ha1()`. It is the same for an algorithm and
 * its "-sess" variant; the session keying happens per request, here.
 */
import { algorithmInfo, digestHex, type DigestAlgorithm } from "./algorithm.js";
import { misuse, refuse } from "./digest-error.js";

const HEX = /^[0-9a-fA-F]+$/;

/**
 * H(unq(username) ":" unq(realm) ":" passwd), the value to store instead of the
 * password. The strings are an admin's text and are hashed as UTF-8 (RFC 7616 §4).
 * For "-sess" algorithms this is the stored base value (see `expectedResponse`).
 */
export function ha1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHex(algorithm, [username, realm, password], "utf8");
}

export interface ResponseInput {
  readonly algorithm: DigestAlgorithm;
  /** The stored H(A1) in hex, from `ha1()` with the same base algorithm. */
  readonly ha1: string;
  readonly method: string;
  /** The credentials' uri parameter, as sent. */
  readonly uri: string;
  readonly nonce: string;
  /** Required with qop: 8 hex digits, as sent. */
  readonly nc?: string;
  /** Required with qop and with a "-sess" algorithm. */
  readonly cnonce?: string;
  /** "auth" (any case, hashed as sent), or undefined for the LEGACY RFC 2069 form. */
  readonly qop?: string;
}

/** Checks that `ha1` is an H() of `algorithm` in hex; the lower-case form is the one hashed. */
export function checkHa1(algorithm: DigestAlgorithm, value: string): string {
  if (value.length !== algorithmInfo(algorithm).hexLength || !HEX.test(value)) {
    misuse("SIP_DIGEST_HA1_MISMATCH", `The stored HA1 is not a ${algorithm} digest`);
  }
  return value.toLowerCase();
}

/** The request-digest, in lower-case hex, that credentials with these values must carry. */
export function expectedResponse(input: ResponseInput): string {
  const { algorithm, method, uri, nonce, nc, cnonce, qop } = input;
  let key = checkHa1(algorithm, input.ha1);
  if (algorithmInfo(algorithm).sess) {
    // RFC 7616 §3.4.2: if the algorithm is "<algorithm>-sess", then
    // A1 = H(unq(username) ":" unq(realm) ":" passwd) ":" unq(nonce-prime) ":" unq(cnonce-prime).
    if (cnonce === undefined) refuse("SIP_DIGEST_MISSING_PARAM", `Missing cnonce for ${algorithm}`);
    key = digestHex(algorithm, [key, nonce, cnonce]);
  }
  // RFC 7616 §3.4.3: if the qop value is "auth" or unspecified, A2 = Method ":" request-uri.
  const ha2 = digestHex(algorithm, [method, uri]);
  if (qop === undefined) {
    // LEGACY (RFC 2069 §2.1.2, kept by RFC 2617 §3.2.2.1 for compatibility): no qop,
    // so no cnonce and no nc. request-digest = KD(H(A1), unq(nonce) ":" H(A2)).
    return digestHex(algorithm, [key, nonce, ha2]);
  }
  // auth-int would need H(entity-body) in A2; we never offer it (see ChallengeQop).
  if (qop.toLowerCase() !== "auth") refuse("SIP_DIGEST_UNSUPPORTED_QOP", `Unsupported qop ${qop.slice(0, 32)}`, 401);
  // RFC 7616 §3.4.1: response = <"> < KD ( H(A1), unq(nonce) ":" nc ":" unq(cnonce)
  // ":" unq(qop) ":" H(A2) ) <">
  if (nc === undefined) refuse("SIP_DIGEST_MISSING_PARAM", "Missing nc with qop");
  if (cnonce === undefined) refuse("SIP_DIGEST_MISSING_PARAM", "Missing cnonce with qop");
  return digestHex(algorithm, [key, nonce, nc, cnonce, qop, ha2]);
}

/**
 * The one error the digest module throws. `status` says how a UAS answers a request
 * whose credentials carry the defect: 400 (RFC 3261 §8.2: the request is malformed) or
 * 401, meaning "challenge afresh" — 401 WWW-Authenticate from a registrar or UAS, 407
 * Proxy-Authenticate from a proxy (RFC 3261 §22.1, §22.3) — so that a UA which can
 * do better learns what we accept. It is undefined for errors that are our caller's
 * or our admin's to fix, not the peer's. Every code is in docs/errors.md.
 */
export type DigestErrorCode =
  | "SIP_DIGEST_MALFORMED"
  | "SIP_DIGEST_DUPLICATE_PARAM"
  | "SIP_DIGEST_MISSING_PARAM"
  | "SIP_DIGEST_BAD_VALUE"
  | "SIP_DIGEST_NOT_DIGEST"
  | "SIP_DIGEST_UNSUPPORTED_ALGORITHM"
  | "SIP_DIGEST_UNSUPPORTED_QOP"
  | "SIP_DIGEST_HA1_MISMATCH"
  | "SIP_DIGEST_CANNOT_FORMAT"
  | "SIP_DIGEST_BAD_CONFIG";

/** 400: refuse the request; 401: answer with a fresh challenge (401 or 407, as the role). */
export type DigestErrorStatus = 400 | 401;

export class DigestError extends Error {
  override readonly name = "DigestError";
  constructor(
    readonly code: DigestErrorCode,
    /** A short phrase that says what was wrong; fit for a reason phrase when `status` is set. */
    readonly reason: string,
    readonly status?: DigestErrorStatus,
  ) {
    super(reason);
  }
}

/** A defect of the peer's header value. */
export function refuse(code: DigestErrorCode, reason: string, status: DigestErrorStatus = 400): never {
  throw new DigestError(code, reason, status);
}

/** A defect of our caller's input or of our configuration: a bug or a config fix, not the peer's fault. */
export function misuse(code: DigestErrorCode, reason: string): never {
  throw new DigestError(code, reason);
}

/**
 * HTTP Digest authentication as SIP uses it (RFC 3261 §22, RFC 7616, RFC 8760):
 * the header values, the response computation, and stateless nonces. Protocol only:
 * users, HA1 storage and nonce-count state belong to the caller.
 */
export { DIGEST_ALGORITHMS, parseAlgorithm, type DigestAlgorithm } from "./algorithm.js";
export { formatChallenge, parseChallenge, type ChallengeOptions, type ChallengeQop, type DigestChallenge } from "./challenge.js";
export { formatCredentials, parseCredentials, type CredentialsFields, type DigestCredentials } from "./credentials.js";
export { DigestError, type DigestErrorCode, type DigestErrorStatus } from "./digest-error.js";
export { expectedResponse, ha1, type ResponseInput } from "./digest-response.js";
export { MAX_AUTH_VALUE_LENGTH } from "./parse-auth-params.js";
export { NonceService, type NonceClock, type NonceInspection, type NonceServiceOptions, type NonceStatus } from "./nonce-service.js";
export { credentialsAlgorithm, verifyResponse, type VerifyOptions } from "./verify-response.js";

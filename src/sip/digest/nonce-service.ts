/**
 * Stateless nonces (ARCHITECTURE.md, "Nonces are stateless"): a nonce carries its
 * own issue time and an HMAC under the cluster secret, so a challenge issued by one
 * node is checked by the other with no shared state. RFC 7616 §3.3 leaves the nonce's
 * form to the server and suggests exactly this: time-stamp H(time-stamp ":" ETag ":"
 * secret-data).
 *
 * Layout, 32 octets, sent as 43 characters of unpadded base64url (RFC 4648 §5;
 * every one a token char and safe inside a quoted string):
 *
 *    0      1                 7                       16                       32
 *   +------+-----------------+-----------------------+------------------------+
 *   | ver  | issued, ms      | random                | HMAC-SHA256(secret,    |
 *   | 0x01 | 48-bit BE       | 9 octets              |   octets 0..15 || realm)|
 *   |      | (Unix epoch)    |                       | first 16 octets        |
 *   +------+-----------------+-----------------------+------------------------+
 *
 * The realm (UTF-8) is under the MAC, not in the nonce, so a nonce of one realm is
 * "invalid" in another. The random part makes each nonce unique, which the caller's
 * nonce-count (replay) state, keyed by nonce, relies on. The MAC is truncated to 128
 * bits (RFC 2104 §5 allows truncation to no less than half the hash). The version
 * octet lets a later layout be told apart during a rolling upgrade.
 *
 * Replay tracking (nc) is not here: the caller keeps it in the shared store, with the
 * `expiresAt` from `inspect()` as its TTL.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { fillRandom } from "../random-pool.js";
import { misuse } from "./digest-error.js";

export interface NonceClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface NonceServiceOptions {
  /** The cluster secret, the same on every node; at least 32 random octets. */
  readonly secret: Buffer;
  /** Secrets being rotated out: nonces they made are still accepted. */
  readonly previousSecrets?: readonly Buffer[];
  /** How long a nonce stays "valid"; after that a matching one is "stale". */
  readonly lifetimeMs: number;
  /** How far in the future a nonce's issue time may be, for clock skew between nodes. Default 5 s. */
  readonly maxClockSkewMs?: number;
  readonly clock?: NonceClock;
}

export type NonceStatus = "valid" | "stale" | "invalid";

export type NonceInspection =
  | { readonly status: "valid" | "stale"; readonly issuedAt: number; readonly expiresAt: number }
  | { readonly status: "invalid" };

const VERSION = 0x01;
const ISSUED_AT = 1;
const RANDOM_AT = 7;
const MAC_AT = 16;
const NONCE_OCTETS = 32;
const MAC_OCTETS = NONCE_OCTETS - MAC_AT;
/** ceil(32 * 8 / 6) characters of unpadded base64url. */
const NONCE_CHARS = 43;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MIN_SECRET_OCTETS = 32;
const MAX_ISSUE_TIME = 2 ** 48 - 1;
const INVALID: NonceInspection = Object.freeze({ status: "invalid" });
const SYSTEM_CLOCK: NonceClock = { now: () => Date.now() };

function checkSecret(secret: Buffer, what: string): void {
  if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_OCTETS) {
    misuse("SIP_DIGEST_BAD_CONFIG", `The ${what} must be at least ${MIN_SECRET_OCTETS} random octets`);
  }
}

export class NonceService {
  private readonly secrets: readonly Buffer[];
  private readonly lifetimeMs: number;
  private readonly maxClockSkewMs: number;
  private readonly clock: NonceClock;

  constructor(options: NonceServiceOptions) {
    checkSecret(options.secret, "nonce secret");
    for (const s of options.previousSecrets ?? []) checkSecret(s, "previous nonce secret");
    if (!Number.isSafeInteger(options.lifetimeMs) || options.lifetimeMs <= 0) {
      misuse("SIP_DIGEST_BAD_CONFIG", "The nonce lifetime must be a positive whole number of milliseconds");
    }
    const skew = options.maxClockSkewMs ?? 5_000;
    if (!Number.isSafeInteger(skew) || skew < 0) misuse("SIP_DIGEST_BAD_CONFIG", "The nonce clock skew must be a whole number of milliseconds, 0 or more");
    // Copies, so that a caller who later zeroes or reuses its buffers changes nothing here.
    this.secrets = [Buffer.from(options.secret), ...(options.previousSecrets ?? []).map((s) => Buffer.from(s))];
    this.lifetimeMs = options.lifetimeMs;
    this.maxClockSkewMs = skew;
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** A fresh nonce for a challenge in `realm`, issued now. */
  issue(realm: string): string {
    const now = this.clock.now();
    if (!Number.isSafeInteger(now) || now < 0 || now > MAX_ISSUE_TIME) misuse("SIP_DIGEST_BAD_CONFIG", "The clock gave a time a nonce cannot hold");
    const nonce = Buffer.alloc(NONCE_OCTETS);
    nonce[0] = VERSION;
    nonce.writeUIntBE(now, ISSUED_AT, 6);
    fillRandom(nonce, RANDOM_AT, MAC_AT - RANDOM_AT);
    mac(this.secrets[0]!, nonce, realm).copy(nonce, MAC_AT);
    return nonce.toString("base64url");
  }

  /** "valid", "stale" (ours, but older than the lifetime: challenge with stale=true), or "invalid". */
  check(nonce: string, realm: string, now: number = this.clock.now()): NonceStatus {
    return this.inspect(nonce, realm, now).status;
  }

  /** As `check`, with the issue and expiry times of a nonce that is ours (for the nc state's TTL). */
  inspect(nonce: string, realm: string, now: number = this.clock.now()): NonceInspection {
    if (typeof nonce !== "string" || nonce.length !== NONCE_CHARS || !BASE64URL.test(nonce)) return INVALID;
    const octets = Buffer.from(nonce, "base64url");
    // Only the canonical spelling: the 2 spare bits of the last char must be zero, so
    // that one nonce has one name (the caller keys nonce-count state by it).
    if (octets.length !== NONCE_OCTETS || octets[0] !== VERSION || octets.toString("base64url") !== nonce) return INVALID;
    const sent = octets.subarray(MAC_AT);
    let ours = false;
    // Every secret is tried, whichever matches, so the time taken says nothing of which did.
    for (const secret of this.secrets) if (timingSafeEqual(mac(secret, octets, realm), sent)) ours = true;
    if (!ours) return INVALID;
    const issuedAt = octets.readUIntBE(ISSUED_AT, 6);
    // From further in the future than clock skew explains: not one we issued honestly.
    if (issuedAt - now > this.maxClockSkewMs) return INVALID;
    const expiresAt = issuedAt + this.lifetimeMs;
    // RFC 2617 §3.2.1 (RFC 7616 §3.3): stale means "the previous request from the
    // client was rejected because the nonce value was stale"; the UA may retry with a
    // new nonce without asking its user again.
    return { status: now >= expiresAt ? "stale" : "valid", issuedAt, expiresAt };
  }
}

function mac(secret: Buffer, nonce: Buffer, realm: string): Buffer {
  return createHmac("sha256", secret).update(nonce.subarray(0, MAC_AT)).update(realm, "utf8").digest().subarray(0, MAC_OCTETS);
}

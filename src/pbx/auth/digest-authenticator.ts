/**
 * The authentication stage (RFC 3261 §22, RFC 7616, RFC 8760): challenge, verify,
 * throttle. Known and unknown users are treated alike (the same challenge, the same
 * hashing, the same answer), so a REGISTER cannot tell which extensions exist.
 */
import { createHash } from "node:crypto";
import {
  credentialsAlgorithm,
  DigestError,
  formatChallenge,
  parseCredentials,
  verifyResponse,
  type DigestAlgorithm,
  type DigestCredentials,
  type NonceService,
} from "../../sip/digest/index.js";
import { comparableUri, createResponse, isSipUri, parseUri } from "../../sip/message/index.js";
import type { Directory } from "../directory/directory.js";
import type { User } from "../directory/directory-schema.js";
import type { IncomingRequest } from "../pipeline/incoming-request.js";
import type { CredentialsCheck, CredentialsUse, NonceCountUse } from "../../state/index.js";
import { sourceKey, userKey, type AuthThrottle, type CredentialsVerdict, type ThrottleKey } from "./auth-throttle.js";

/**
 * RFC 3261 §22.3: a registrar (a UAS) challenges with 401 and WWW-Authenticate and
 * reads Authorization; a proxy challenges with 407 and Proxy-Authenticate and reads
 * Proxy-Authorization.
 */
const MODES = {
  registrar: { status: 401, challenge: "WWW-Authenticate", credentials: "Authorization" },
  proxy: { status: 407, challenge: "Proxy-Authenticate", credentials: "Proxy-Authorization" },
} as const;

export interface AuthenticatorDeps {
  readonly mode: keyof typeof MODES;
  readonly directory: () => Directory;
  readonly nonces: NonceService;
  /** The shared store's side of authentication: blocks and nonce counts. */
  readonly throttle: AuthThrottle;
  /** RFC 8760 §2.4: the algorithms challenged with, most preferred first. */
  readonly algorithms: readonly DigestAlgorithm[];
  /** Counts outcomes for metrics. */
  readonly count?: (outcome: "challenged" | "authenticated" | "failed" | "blocked" | "replayed" | "stale") => void;
}

/** RFC 3261 §19.1.4 equality of the digest-uri and the Request-URI (a UA may escape or case them differently). */
function sameUri(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  try {
    const a = parseUri(digestUri);
    const b = parseUri(requestUri);
    return isSipUri(a) && isSipUri(b) && comparableUri(a) === comparableUri(b);
  } catch {
    return false;
  }
}

/** The realm a credentials value is for, read without parsing the rest (RFC 3261 §22.4: pick ours among several). */
export function realmOf(credentials: string): string | undefined {
  return /realm\s*=\s*"?([^",]*)/i.exec(credentials)?.[1];
}

/** A digest of nothing, hashed for unknown users so they cost what known ones do. */
function decoyHa1(algorithm: DigestAlgorithm, username: string): string {
  return createHash(algorithm.startsWith("SHA-256") ? "sha256" : "md5").update(`decoy:${username}`).digest("hex");
}

function storedHa1(user: User | undefined, credentials: DigestCredentials, algorithm: DigestAlgorithm): string {
  if (!user) return decoyHa1(algorithm, credentials.username);
  return algorithm.startsWith("SHA-256") ? user.ha1.sha256 : user.ha1.md5;
}

/** The store's check found nothing: no key blocked (an entry missing reads as none), the count new. */
const PASSED: CredentialsCheck = { blockedUntil: [], fresh: true };

/**
 * The store's half of a digest check still to be made: blocks and the nonce count. The
 * registrar makes it with its binding update (`StateStore.updateBindings` with
 * credentials), or on its own (`confirm`) before it refuses the request for any other
 * reason, so that a blocked source or user never gets an answer but 403.
 */
export interface CredentialsGate {
  readonly use: CredentialsUse;
  /** The store found nothing against the credentials: the user is authenticated. */
  passed(): void;
  /** The store refused them: answers the request (403, or a fresh challenge for a replayed count). */
  refused(check: CredentialsCheck): void;
  /**
   * The check on its own (one store command), then `passed` or `refused`: true when it
   * passed. Once settled, the verdict already given (no second use of the nonce count).
   */
  confirm(): Promise<boolean>;
}

/** A right answer to a live nonce, from a user in the directory. */
export interface Verified {
  readonly user: User;
  readonly gate: CredentialsGate;
}

export class DigestAuthenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  /**
   * The authenticated user, or undefined when the request has been answered (401,
   * 403 or 400) and must go no further.
   */
  async authenticate(incoming: IncomingRequest): Promise<User | undefined> {
    const verified = await this.verify(incoming);
    return verified !== undefined && (await verified.gate.confirm()) ? verified.user : undefined;
  }

  /**
   * As `authenticate`, but a right answer to a live nonce comes back with the store's
   * half of its check still to make (`CredentialsGate`): the registrar makes it with its
   * binding update, in the same store command. Every other request is answered here.
   */
  async verify(incoming: IncomingRequest): Promise<Verified | undefined> {
    const { request, source } = incoming;
    const directory = this.deps.directory();
    const realm = directory.realm;
    // RFC 3261 §22.4: the credentials for our realm; others (for a proxy further on) are not ours.
    const header = request.headers.values(MODES[this.deps.mode].credentials).find((v) => realmOf(v) === realm);
    if (header === undefined) {
      // No store command here: only the blocks this node knows of (auth-throttle.ts says why).
      if (this.deps.throttle.knownBlocked([sourceKey(source.address)])) return this.forbid(incoming, "source blocked");
      return this.challenge(incoming, false);
    }
    let credentials: DigestCredentials;
    let algorithm: DigestAlgorithm;
    try {
      credentials = parseCredentials(header);
      algorithm = credentialsAlgorithm(credentials);
    } catch (err) {
      if (!(err instanceof DigestError)) throw err;
      if (err.status === 401) return this.challenge(incoming, false);
      incoming.respond(createResponse(request, 400, err.reason));
      return undefined;
    }
    // RFC 7616 §3.4.6 (RFC 2617 §3.2.2.5): credentials computed for another URI are
    // a replay of someone else's request; "the server SHOULD return 400 Bad Request".
    if (!sameUri(credentials.uri, request.uri)) {
      incoming.respond(createResponse(request, 400, "Digest uri does not match the Request-URI"));
      return undefined;
    }
    const nonce = this.deps.nonces.inspect(credentials.nonce, realm);
    if (nonce.status === "invalid") return this.challenge(incoming, false);

    const user = directory.byExtensionOf(credentials.username);
    let matched: boolean;
    try {
      matched = verifyResponse(credentials, storedHa1(user, credentials, algorithm), request.method) && user !== undefined;
    } catch (err) {
      if (err instanceof DigestError && err.status === 401) return this.challenge(incoming, false);
      throw err;
    }
    const keys = [sourceKey(source.address), userKey(credentials.username)];
    if (user !== undefined && matched && nonce.status === "valid") {
      const nonceCount = { nonce: credentials.nonce, nc: credentials.nonceCount ?? 0, ttlMs: Math.max(1, nonce.expiresAt - Date.now()), issuedAt: nonce.issuedAt };
      return { user, gate: this.gate(incoming, credentials.username, keys, nonceCount) };
    }
    // A wrong answer, or a right one to an old nonce: the store is asked only whether a key is blocked.
    const { blocked } = await this.deps.throttle.checkCredentials(keys);
    if (blocked) return this.forbid(incoming, "blocked");
    if (!matched) return this.fail(incoming, credentials.username);
    // RFC 2617 §3.2.1: stale=true only for a right answer to an old nonce.
    this.deps.count?.("stale");
    return this.challenge(incoming, true);
  }

  /**
   * The store's half of the check of a right answer to a live nonce: is the source or
   * the user blocked, and is this nonce count new — RFC 7616 §3.4: "if the same
   * nc-value is seen twice, then the request is a replay". One store command either way.
   */
  private gate(incoming: IncomingRequest, username: string, keys: ThrottleKey[], nonceCount: NonceCountUse): CredentialsGate {
    const { throttle } = this.deps;
    // Settled once: a later `confirm` (the registrar's, before an error of its own) reads
    // the verdict already given instead of using the nonce count again.
    let settled: boolean | undefined;
    const settle = ({ blocked, fresh }: CredentialsVerdict): boolean => {
      if (blocked) {
        this.forbid(incoming, "blocked");
        return (settled = false);
      }
      if (!fresh) {
        this.deps.count?.("replayed");
        incoming.log.warn({ user: username, from: incoming.source.address }, "digest nonce count replayed");
        this.challenge(incoming, true);
        return (settled = false);
      }
      this.deps.count?.("authenticated");
      return (settled = true);
    };
    return {
      use: { blockKeys: keys, nonceCount },
      passed: () => void settle(throttle.verdict(keys, PASSED)),
      refused: (check) => {
        const verdict = throttle.verdict(keys, check);
        if (verdict.blocked !== undefined || verdict.fresh === false) return void settle(verdict);
        // The store refused what reads here as a pass (a block's value the two read
        // differently): the request is answered all the same, with 403.
        settled = false;
        this.forbid(incoming, "refused by the state store");
      },
      confirm: async () => settled ?? settle(await throttle.checkCredentials(keys, nonceCount)),
    };
  }

  /**
   * `stateless` (RFC 3261 §8.2.7) unless answering a wrong password: a retransmission of
   * that request must be absorbed, not counted as one more failure towards a block.
   */
  private challenge(incoming: IncomingRequest, stale: boolean, stateless = true): undefined {
    const realm = this.deps.directory().realm;
    const mode = MODES[this.deps.mode];
    const response = createResponse(incoming.request, mode.status);
    // One nonce serves every algorithm offered, as in RFC 7616 §3.9.1's example (the
    // SHA-256 and MD5 challenges carry the same nonce): the nonce binds a time and the
    // realm, not an algorithm, and each costs an HMAC.
    const nonce = this.deps.nonces.issue(realm);
    for (const algorithm of this.deps.algorithms) {
      response.headers.append(mode.challenge, formatChallenge({ realm, nonce, algorithm, qop: "auth", stale }));
    }
    // Stateless: a phone that retransmits its REGISTER gets a fresh challenge, and the
    // avalanche of first REGISTERs leaves no transactions behind for 32 s.
    incoming.respond(response, stateless);
    this.deps.count?.("challenged");
    return undefined;
  }

  private async fail(incoming: IncomingRequest, username: string): Promise<undefined> {
    const { source, log } = incoming;
    this.deps.count?.("failed");
    const blocked = await this.deps.throttle.failed([sourceKey(source.address), userKey(username)]);
    log.warn({ user: username, from: source.address, blocked }, "digest authentication failed");
    if (blocked.length > 0) return this.forbid(incoming, "blocked after repeated failures");
    // RFC 3261 §22.4: wrong credentials are challenged again.
    return this.challenge(incoming, false, false);
  }

  private forbid(incoming: IncomingRequest, why: string): undefined {
    this.deps.count?.("blocked");
    incoming.log.warn({ from: incoming.source.address, why }, "authentication refused");
    incoming.respond(createResponse(incoming.request, 403));
    return undefined;
  }
}

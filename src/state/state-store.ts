import type { Binding } from "./binding.js";
import type { CallRecord, CallRecordQuery } from "./call-record.js";
import type { DialogRecord } from "./dialog-record.js";

/**
 * The shared state of a Strowger cluster, as the PBX sees it. `src/pbx` talks to this
 * interface only, so the same registrar and auth code runs on the embedded memory
 * store (one node) and on Redis (the active-active pair).
 *
 * Every expiry decision is taken against the store's clock (injected, `Date.now` by
 * default) and an expiry time kept in the value itself, so both nodes agree on the
 * instant something lapses whatever Redis does; Redis TTLs only reclaim memory, a
 * grace period later.
 *
 * Errors are `StateError`s: STATE_UNAVAILABLE when the backend cannot be reached, which
 * the pipeline answers with 503 and Retry-After and reports (ARCHITECTURE.md: "say so
 * loudly"); a node on Redis first answers what it can from its memory
 * (last-known-state-store.ts).
 */
export interface StateStore {
  readonly backend: "memory" | "redis";

  // ---- Location service (RFC 3261 §10.3, RFC 5626, RFC 3327) -------------------

  /**
   * The AOR's unexpired bindings, in the order the last update stored them.
   * `now` defaults to the store's clock; pass the instant the caller already read so
   * one request is handled at one time.
   */
  getBindings(aor: string, now?: number): Promise<readonly Binding[]>;

  /**
   * Atomic read-modify-write of one AOR's bindings. `update` sees the unexpired
   * bindings and the store's `now`, and returns the complete new set (bindings that
   * have expired by `now` are dropped), or a refusal that is passed back with the
   * state untouched. RFC 3261 §10.3: "The binding updates MUST be committed ... if and
   * only if all binding updates and additions succeed."
   *
   * `update` must be pure and synchronous: on Redis it runs again when the other node
   * changed the AOR in between. If it throws, nothing changes and the error propagates.
   *
   * With `credentials` (a REGISTER's), the store's half of its digest check is made
   * first, as `checkCredentials` makes it, in the same round trip on Redis: a
   * registration then costs one store command, not two. When a key is blocked or the
   * nonce count is a replay, nothing is updated and the check comes back
   * (`CredentialsRefused`). Otherwise the update goes ahead as without; and the
   * update's own refusal comes back only once the credentials have passed, so a blocked
   * guesser never learns from a registrar's refusal (423, say) that its guess was right.
   */
  updateBindings<R extends UpdateRefusal = UpdateRefusal>(
    aor: string,
    update: BindingsUpdate<R>,
    credentials?: CredentialsUse,
  ): Promise<BindingsUpdated | R | CredentialsRefused>;

  /**
   * Calls `visit` for every AOR with live bindings across the cluster, with those
   * bindings, and resolves to the number of AORs visited: what a node keeps of the
   * location service to route from while Redis is away (last-known-state-store.ts).
   * Not a snapshot: an AOR changed during the walk may be seen before or after.
   * O(AORs), read in pages.
   */
  visitBindings(visit: (aor: string, bindings: readonly Binding[]) => void): Promise<number>;

  /**
   * Live AORs and bindings across the cluster, for metrics. Cheap: O(log n) on Redis
   * (two ZCOUNTs on the expiry indexes), O(expired since the last call) in memory.
   */
  countBindings(): Promise<BindingCounts>;

  // ---- Digest authentication (RFC 7616) ----------------------------------------

  /**
   * The shared-store half of checking a request that carries digest credentials, both
   * questions answered in one command (one round trip on Redis), atomically:
   *
   * - `blockedUntil[i]`: the end of `blockKeys[i]`'s block, or undefined when it is not
   *   blocked, decided as `blockedUntil(key)` decides it (a block ending at T is over at T).
   * - `fresh`, when `nonceCount` is given: whether its `nc` is accepted for its `nonce`,
   *   true only when greater than every nc already accepted for that nonce on any node.
   *   RFC 7616 §3.4: the nc lets "the server ... detect request replays by maintaining
   *   its own copy of this count -- if the same nc-value is seen twice, then the
   *   request is a replay." An accepted nc is recorded, and the nonce's state lapses
   *   `ttlMs` after the last accepted use (pass the nonce's remaining lifetime). Ask
   *   only for a nonce whose HMAC verified, so nobody can fill the store with nonces of
   *   their own making. Undefined when no `nonceCount` is given.
   *
   * The nonce count is used whether or not a key is blocked: a request refused while
   * blocked, if captured, cannot then be replayed once the block ends, and the blocked
   * user's own phone simply counts on.
   */
  checkCredentials(blockKeys: readonly string[], nonceCount?: NonceCountUse): Promise<CredentialsCheck>;

  /**
   * A random 32-byte secret that every node sharing this store gets the same of,
   * made by the first to ask (ARCHITECTURE.md: nonces are an HMAC with a cluster
   * secret, so a challenge issued by one node is verified by the other).
   */
  sharedSecret(name: string): Promise<Buffer>;

  // ---- Failed authentication (shared by both nodes) ----------------------------

  /**
   * Counts one failure for `key` (a user, a source address: the caller chooses) and
   * returns the count in the current window. A window opens at the first failure and
   * lasts `windowMs`; the first failure after it opens the next one (fixed windows:
   * O(1) state per key, unlike a log of every failure).
   */
  recordFailure(key: string, windowMs: number): Promise<number>;
  /** Forgets the failures of `key` (after a successful authentication). */
  clearFailures(key: string): Promise<void>;
  /** Blocks `key` until `untilMs`. A block only ever grows: a shorter one leaves the longer in place. */
  block(key: string, untilMs: number): Promise<void>;
  /** Lifts a block at once (an admin's action). */
  unblock(key: string): Promise<void>;
  /**
   * The end of `key`'s block, or undefined when it is not blocked (a block ending at T
   * is over at T). Authentication asks `checkCredentials` instead, with the nonce count.
   */
  blockedUntil(key: string): Promise<number | undefined>;

  // ---- Dialogs: the live-calls view, and what a call's record is made from -------

  /**
   * Stores a dialog, or replaces the one with its id (an early dialog put again on the
   * 2xx). Its `expiresAt` must be after now (STATE_INVALID_RECORD otherwise).
   */
  putDialog(dialog: DialogRecord): Promise<void>;
  /**
   * The live dialog an in-dialog request names, from either side: pass the request's
   * Call-ID, From tag and To tag, and a BYE from the caller (From tag = the dialog's
   * `fromTag`) or from the callee (From tag = its `toTag`) finds it alike. With no
   * second tag (a CANCEL) the first must be the caller's. One round trip on Redis.
   */
  findDialog(callId: string, tag1: string, tag2?: string): Promise<DialogRecord | undefined>;
  /**
   * Moves a live dialog's safety expiry to `expiresAt` (after now) on a re-INVITE or
   * UPDATE and returns it; undefined when it has ended or expired, so a refresh racing
   * a BYE on the other node never brings the dialog back.
   */
  refreshDialog(id: string, expiresAt: number): Promise<DialogRecord | undefined>;
  /**
   * Removes the dialog and returns it, atomically: when both nodes handle one BYE (or
   * a BYE from each side crosses), exactly one gets the dialog and writes the record.
   * Undefined when there is none, or it had expired. With `expiringBy`, only a dialog
   * whose safety expiry is at or before it is ended (the sweep of calls whose BYE never
   * came: a re-INVITE that pushed the expiry back meanwhile keeps its call up).
   */
  endDialog(id: string, expiringBy?: number): Promise<DialogRecord | undefined>;
  /**
   * Every live dialog in the cluster, oldest `startedAt` first: the live-calls view.
   * With `expiringBy`, only those whose safety expiry is at or before it: the sweep
   * reads the few that are due, not every call (O(log n + due) on Redis).
   */
  listDialogs(expiringBy?: number): Promise<DialogRecord[]>;
  /** How many live dialogs the cluster holds, for metrics. O(log n) on Redis. */
  countDialogs(): Promise<number>;

  // ---- Call records (CDRs) ------------------------------------------------------

  /**
   * Keeps one call's record. A record with the id of one already kept is kept once
   * (so a retry after a lost reply is safe). Records outside the store's retention
   * are dropped as each append is made.
   */
  appendCallRecord(record: CallRecord): Promise<void>;
  /** The records with `since <= endedAt < until`, in `endedAt` order (ties by id), at most `limit`. */
  callRecords(query?: CallRecordQuery): Promise<CallRecord[]>;

  // ---- Lifecycle ----------------------------------------------------------------

  /** The backend's state now, for the health endpoint and metrics. */
  health(): StateHealth;
  /** Calls `listener` on every change of `health().state`; returns the unsubscribe function. */
  onHealthChange(listener: (health: StateHealth) => void): () => void;
  /** Closes the connection (the memory store: after its pending file appends); later calls reject with STATE_CLOSED. Idempotent. */
  close(): Promise<void>;
}

/** A use of a digest nonce count, for `checkCredentials`: `nc` and `ttlMs` are positive whole numbers. */
export interface NonceCountUse {
  readonly nonce: string;
  readonly nc: number;
  readonly ttlMs: number;
  /**
   * When the nonce was issued (epoch ms). A node answering from its own memory while
   * Redis is away refuses nonces issued before it went (last-known-state-store.ts);
   * without it, a nonce counts as one of those.
   */
  readonly issuedAt?: number;
}

/** The credentials check `updateBindings` makes before its update: `checkCredentials(blockKeys, nonceCount)`. */
export interface CredentialsUse {
  readonly blockKeys: readonly string[];
  readonly nonceCount: NonceCountUse;
}

/** `updateBindings` with credentials that did not pass (a key blocked, or the nonce count a replay): nothing was updated. */
export interface CredentialsRefused {
  readonly kind: "credentials refused";
  readonly check: CredentialsCheck;
}

/** Whether a check refuses the request: a key blocked, or the nonce count not accepted. */
export function refusesCredentials(check: CredentialsCheck): boolean {
  return check.fresh === false || check.blockedUntil.some((until) => until !== undefined);
}

/** What `checkCredentials` found. */
export interface CredentialsCheck {
  /** One entry per block key, in order: the end of its block (epoch ms), or undefined when it is not blocked. */
  readonly blockedUntil: readonly (number | undefined)[];
  /** Whether the nonce count was accepted (false: a replay); undefined when none was given. */
  readonly fresh: boolean | undefined;
}

/**
 * The callback of `updateBindings`: current unexpired bindings and the store's time in,
 * the complete new set (or a refusal) out.
 */
export type BindingsUpdate<R extends UpdateRefusal = UpdateRefusal> = (current: readonly Binding[], now: number) => readonly Binding[] | R;

/**
 * A refusal from the update callback; the caller extends it with what it needs to
 * answer (the registrar: `{ kind: "refused", reason: "CSeq out of order", status: 500 }`).
 */
export interface UpdateRefusal {
  readonly kind: "refused";
  readonly reason: string;
}

export interface BindingsUpdated {
  readonly kind: "updated";
  /** The AOR's bindings after the update: what a 200 to REGISTER lists (RFC 3261 §10.3 step 8). */
  readonly bindings: readonly Binding[];
  /** The unexpired bindings the update replaced. */
  readonly previous: readonly Binding[];
}

export interface BindingCounts {
  /** AORs with at least one live binding. */
  readonly aors: number;
  readonly bindings: number;
}

export type StateHealthState =
  /** Serving. */
  | "ready"
  /** Opening its first connection. */
  | "connecting"
  /** Lost the backend (or never reached it): calls fail with STATE_UNAVAILABLE; reconnecting. */
  | "unreachable"
  /** Closed by its owner. */
  | "closed";

export interface StateHealth {
  readonly backend: "memory" | "redis";
  readonly state: StateHealthState;
  /** Epoch ms (store clock) of the last change of `state`. */
  readonly since: number;
  /** What it connects to, without credentials: `redis://127.0.0.1:6379/0`, `sentinel mymaster`. */
  readonly target?: string;
  /** The last connection error, while not ready. */
  readonly lastError?: string;
}

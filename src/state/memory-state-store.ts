import { randomBytes } from "node:crypto";
import { isLive, type Binding } from "./binding.js";
import { acceptBindings } from "./accept-bindings.js";
import { compareCallRecords, type CallRecord, type CallRecordQuery, type CallRecordRetention } from "./call-record.js";
import { CallRecordLog } from "./call-record-log.js";
import { CdrFile } from "./cdr-file.js";
import { checkAfter, checkCallRecordQuery, checkInstant, checkNonceCount, checkPositiveInteger } from "./check-argument.js";
import { compareDialogs, dialogId, dialogMatches, isLiveDialog, type DialogRecord } from "./dialog-record.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { HealthTracker } from "./health-tracker.js";
import { acceptCallRecord, acceptDialog } from "./record-codec.js";
import { StateError } from "./state-error.js";
import {
  type BindingCounts,
  type BindingsUpdate,
  type BindingsUpdated,
  type CredentialsCheck,
  type CredentialsRefused,
  type CredentialsUse,
  type NonceCountUse,
  type StateHealth,
  type StateStore,
  type UpdateRefusal,
  refusesCredentials,
} from "./state-store.js";

export interface MemoryStateStoreOptions {
  /** Epoch ms; tests pass a fake. */
  readonly clock?: () => number;
  /**
   * A JSON-lines file that keeps the call records across restarts: read when the store
   * is made, one line appended per record (folder and file made when missing). Without
   * it the records live as long as the process.
   */
  readonly cdrFile?: string;
  /** How many records to keep in memory (default all); the file keeps every one. */
  readonly callRecordRetention?: CallRecordRetention;
}

/**
 * Expired entries reclaimed per call at most, so one call never pays for a burst of
 * expiries (a registration avalanche an hour ago); `countBindings` reclaims them all.
 */
const SWEEP_BUDGET = 64;

/**
 * The embedded store: one node's state in maps, for a node without Redis.
 *
 * Every method does its work synchronously once called, so an update of one AOR is a
 * critical section by construction (Node runs one callback at a time); the Promise is
 * only there to share the interface with Redis. Expired state is invisible at once
 * (every read compares with the clock) and reclaimed lazily: each call pops what has
 * fallen due from expiry heaps, so there is no timer to keep the process alive and no
 * scan of all state.
 */
export class MemoryStateStore implements StateStore {
  readonly backend = "memory" as const;
  private readonly clock: () => number;
  private readonly tracker: HealthTracker;

  private readonly aors = new Map<string, readonly Binding[]>();
  private bindingCount = 0;
  private readonly nonces = new Map<string, { nc: number; expiresAt: number }>();
  private readonly failures = new Map<string, { count: number; windowEndsAt: number }>();
  private readonly blocks = new Map<string, number>();
  private readonly secrets = new Map<string, Buffer>();
  private readonly dialogs = new Map<string, DialogRecord>();
  private readonly callRecordLog: CallRecordLog;
  private readonly cdrFile: CdrFile | undefined;
  /**
   * Lines of `cdrFile` that held no readable record when the store was made (skipped:
   * a write cut short by a crash), for the owner to log.
   */
  readonly cdrFileProblems: readonly string[];

  private readonly aorExpiry = new ExpiryQueue<string>();
  private readonly nonceExpiry = new ExpiryQueue<string>();
  private readonly failureExpiry = new ExpiryQueue<string>();
  private readonly blockExpiry = new ExpiryQueue<string>();
  private readonly dialogExpiry = new ExpiryQueue<string>();

  /** Reads `cdrFile` synchronously, if given; STATE_CDR_FILE when it exists and cannot be read. */
  constructor(options: MemoryStateStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.tracker = new HealthTracker("memory", "ready", this.clock);
    this.callRecordLog = new CallRecordLog(options.callRecordRetention);
    this.cdrFile = options.cdrFile === undefined ? undefined : new CdrFile(options.cdrFile);
    const loaded = this.cdrFile?.load() ?? { records: [], problems: [] };
    const now = this.clock();
    for (const record of loaded.records.sort(compareCallRecords)) this.callRecordLog.add(Object.freeze(record), now);
    this.cdrFileProblems = Object.freeze(loaded.problems);
  }

  // ---- Location service ----------------------------------------------------------

  async getBindings(aor: string, now = this.clock()): Promise<readonly Binding[]> {
    this.open(now);
    return this.live(aor, now);
  }

  async updateBindings<R extends UpdateRefusal = UpdateRefusal>(
    aor: string,
    update: BindingsUpdate<R>,
    credentials?: CredentialsUse,
  ): Promise<BindingsUpdated | R | CredentialsRefused> {
    if (credentials !== undefined) {
      const check = await this.checkCredentials(credentials.blockKeys, credentials.nonceCount);
      if (refusesCredentials(check)) return { kind: "credentials refused", check };
    }
    const now = this.clock();
    this.open(now);
    const previous = this.live(aor, now);
    const result = update(previous, now);
    if (!Array.isArray(result)) return result as R;
    const bindings = acceptBindings(aor, result as readonly Binding[], now).map(freeze);
    this.store(aor, bindings);
    return { kind: "updated", bindings, previous };
  }

  async visitBindings(visit: (aor: string, bindings: readonly Binding[]) => void): Promise<number> {
    const now = this.clock();
    this.open(now);
    let visited = 0;
    for (const aor of [...this.aors.keys()]) {
      const live = this.live(aor, now);
      if (live.length === 0) continue;
      visit(aor, live);
      visited++;
    }
    return visited;
  }

  async countBindings(): Promise<BindingCounts> {
    const now = this.clock();
    this.open(now);
    this.sweepAors(now, Infinity);
    return { aors: this.aors.size, bindings: this.bindingCount };
  }

  // ---- Digest credentials: blocks and nonce counts ------------------------------

  async checkCredentials(blockKeys: readonly string[], nonceCount?: NonceCountUse): Promise<CredentialsCheck> {
    if (nonceCount !== undefined) checkNonceCount(nonceCount);
    const now = this.clock();
    this.open(now);
    // The nonce count is used even when a key is blocked (state-store.ts says why).
    const fresh = nonceCount === undefined ? undefined : this.useNonceCount(nonceCount, now);
    return { blockedUntil: blockKeys.map((key) => this.blockEnd(key, now)), fresh };
  }

  /** RFC 7616 §3.4: accepts (and records) an nc only when greater than the last accepted, while that is unexpired. */
  private useNonceCount({ nonce, nc, ttlMs }: NonceCountUse, now: number): boolean {
    const seen = this.nonces.get(nonce);
    if (seen !== undefined && now < seen.expiresAt && nc <= seen.nc) return false;
    const expiresAt = now + ttlMs;
    this.nonces.set(nonce, { nc, expiresAt });
    this.nonceExpiry.schedule(nonce, expiresAt);
    return true;
  }

  // ---- Failed authentication -----------------------------------------------------

  async recordFailure(key: string, windowMs: number): Promise<number> {
    checkPositiveInteger("windowMs", windowMs);
    const now = this.clock();
    this.open(now);
    const current = this.failures.get(key);
    if (current !== undefined && now < current.windowEndsAt) return ++current.count;
    const windowEndsAt = now + windowMs;
    this.failures.set(key, { count: 1, windowEndsAt });
    this.failureExpiry.schedule(key, windowEndsAt);
    return 1;
  }

  async clearFailures(key: string): Promise<void> {
    this.open(this.clock());
    this.failures.delete(key);
    this.failureExpiry.unschedule(key);
  }

  async block(key: string, untilMs: number): Promise<void> {
    checkInstant("untilMs", untilMs);
    const now = this.clock();
    this.open(now);
    if (untilMs <= now) return; // already over
    const current = this.blocks.get(key);
    if (current !== undefined && current >= untilMs) return; // a block only grows
    this.blocks.set(key, untilMs);
    this.blockExpiry.schedule(key, untilMs);
  }

  async unblock(key: string): Promise<void> {
    this.open(this.clock());
    this.blocks.delete(key);
    this.blockExpiry.unschedule(key);
  }

  async sharedSecret(name: string): Promise<Buffer> {
    // One node: a secret made at first use, for the life of the process.
    let secret = this.secrets.get(name);
    if (secret === undefined) this.secrets.set(name, (secret = randomBytes(32)));
    return secret;
  }

  async blockedUntil(key: string): Promise<number | undefined> {
    const now = this.clock();
    this.open(now);
    return this.blockEnd(key, now);
  }

  /** The end of `key`'s block if it is still on at `now` (a block ending at T is over at T). */
  private blockEnd(key: string, now: number): number | undefined {
    const until = this.blocks.get(key);
    return until !== undefined && now < until ? until : undefined;
  }

  // ---- Dialogs -------------------------------------------------------------------

  async putDialog(dialog: DialogRecord): Promise<void> {
    const now = this.clock();
    const accepted = acceptDialog(dialog, now);
    this.open(now);
    this.dialogs.set(accepted.id, Object.freeze(accepted));
    this.dialogExpiry.schedule(accepted.id, accepted.expiresAt);
  }

  async findDialog(callId: string, tag1: string, tag2?: string): Promise<DialogRecord | undefined> {
    const now = this.clock();
    this.open(now);
    // Keyed by the caller's side: the request's From tag is the caller's tag (a request
    // from the caller), or its To tag is (a request from the callee).
    for (const fromTag of tag2 === undefined ? [tag1] : [tag1, tag2]) {
      const dialog = this.dialogs.get(dialogId(callId, fromTag));
      if (dialog !== undefined && dialog.callId === callId && isLiveDialog(dialog, now) && dialogMatches(dialog, tag1, tag2)) return dialog;
    }
    return undefined;
  }

  async refreshDialog(id: string, expiresAt: number): Promise<DialogRecord | undefined> {
    checkInstant("expiresAt", expiresAt);
    const now = this.clock();
    this.open(now);
    checkAfter("expiresAt", expiresAt, now);
    const dialog = this.dialogs.get(id);
    if (dialog === undefined || !isLiveDialog(dialog, now)) return undefined;
    const refreshed = Object.freeze({ ...dialog, expiresAt });
    this.dialogs.set(id, refreshed);
    this.dialogExpiry.schedule(id, expiresAt);
    return refreshed;
  }

  async endDialog(id: string, expiringBy?: number): Promise<DialogRecord | undefined> {
    if (expiringBy !== undefined) checkInstant("expiringBy", expiringBy);
    const now = this.clock();
    this.open(now);
    const dialog = this.dialogs.get(id);
    if (dialog === undefined || (expiringBy !== undefined && dialog.expiresAt > expiringBy)) return undefined;
    this.dialogs.delete(id);
    this.dialogExpiry.unschedule(id);
    return isLiveDialog(dialog, now) ? dialog : undefined;
  }

  async listDialogs(expiringBy?: number): Promise<DialogRecord[]> {
    if (expiringBy !== undefined) checkInstant("expiringBy", expiringBy);
    const now = this.clock();
    this.open(now);
    this.sweepDialogs(now, Infinity);
    const all = [...this.dialogs.values()];
    return (expiringBy === undefined ? all : all.filter((d) => d.expiresAt <= expiringBy)).sort(compareDialogs);
  }

  async countDialogs(): Promise<number> {
    const now = this.clock();
    this.open(now);
    this.sweepDialogs(now, Infinity);
    return this.dialogs.size;
  }

  // ---- Call records --------------------------------------------------------------

  async appendCallRecord(record: CallRecord): Promise<void> {
    const accepted = Object.freeze(acceptCallRecord(record));
    this.open(this.clock());
    if (this.callRecordLog.has(accepted.id)) return;
    // The file first: a record the store holds is one a restart keeps.
    await this.cdrFile?.append(accepted);
    this.callRecordLog.add(accepted, this.clock());
  }

  async callRecords(query: CallRecordQuery = {}): Promise<CallRecord[]> {
    checkCallRecordQuery(query);
    this.open(this.clock());
    return this.callRecordLog.query(query);
  }

  // ---- Lifecycle -----------------------------------------------------------------

  health(): StateHealth {
    return this.tracker.health;
  }

  onHealthChange(listener: (health: StateHealth) => void): () => void {
    return this.tracker.onChange(listener);
  }

  async close(): Promise<void> {
    if (this.tracker.health.state === "closed") return;
    this.tracker.set("closed");
    await this.cdrFile?.flush();
    this.aors.clear();
    this.nonces.clear();
    this.failures.clear();
    this.blocks.clear();
    this.dialogs.clear();
    this.callRecordLog.clear();
    this.bindingCount = 0;
  }

  // ---- Internals -----------------------------------------------------------------

  /** Refuses calls after close, then reclaims a bounded amount of expired state. */
  private open(now: number): void {
    if (this.tracker.health.state === "closed") throw new StateError("STATE_CLOSED", "the state store is closed");
    this.sweepAors(now, SWEEP_BUDGET);
    for (const nonce of this.nonceExpiry.popDue(now, SWEEP_BUDGET)) {
      const entry = this.nonces.get(nonce);
      if (entry === undefined) continue;
      if (now < entry.expiresAt) this.nonceExpiry.schedule(nonce, entry.expiresAt);
      else this.nonces.delete(nonce);
    }
    for (const key of this.failureExpiry.popDue(now, SWEEP_BUDGET)) {
      const entry = this.failures.get(key);
      if (entry === undefined) continue;
      if (now < entry.windowEndsAt) this.failureExpiry.schedule(key, entry.windowEndsAt);
      else this.failures.delete(key);
    }
    this.sweepDialogs(now, SWEEP_BUDGET);
    for (const key of this.blockExpiry.popDue(now, SWEEP_BUDGET)) {
      const until = this.blocks.get(key);
      if (until === undefined) continue;
      if (now < until) this.blockExpiry.schedule(key, until);
      else this.blocks.delete(key);
    }
  }

  private sweepAors(now: number, budget: number): void {
    for (const aor of this.aorExpiry.popDue(now, budget)) this.store(aor, this.live(aor, now));
  }

  private sweepDialogs(now: number, budget: number): void {
    for (const id of this.dialogExpiry.popDue(now, budget)) {
      const dialog = this.dialogs.get(id);
      if (dialog === undefined) continue;
      if (isLiveDialog(dialog, now)) this.dialogExpiry.schedule(id, dialog.expiresAt);
      else this.dialogs.delete(id);
    }
  }

  private live(aor: string, now: number): readonly Binding[] {
    const bindings = this.aors.get(aor);
    if (bindings === undefined) return [];
    return bindings.every((b) => isLive(b, now)) ? bindings : bindings.filter((b) => isLive(b, now));
  }

  /** Replaces the AOR's set, keeps the count, and schedules the next expiry to reclaim. */
  private store(aor: string, bindings: readonly Binding[]): void {
    this.bindingCount += bindings.length - (this.aors.get(aor)?.length ?? 0);
    if (bindings.length === 0) {
      this.aors.delete(aor);
      this.aorExpiry.unschedule(aor);
      return;
    }
    this.aors.set(aor, Object.freeze([...bindings]));
    this.aorExpiry.schedule(aor, Math.min(...bindings.map((b) => b.expiresAt)));
  }
}

/** Stored bindings are shared with every caller, so nobody may change them in place. */
function freeze(binding: Binding): Binding {
  Object.freeze(binding.path);
  Object.freeze(binding.source);
  return Object.freeze(binding);
}


/**
 * The shared store with this node's own memory behind it. ARCHITECTURE.md: "Redis
 * unreachable is a fault to survive: keep routing from the last known state held in
 * memory, say so loudly (logs, metrics, health endpoint), and reconcile on return."
 *
 * While the shared store is unreachable (its health says so, or a command fails with
 * STATE_UNAVAILABLE):
 *
 * - The location service answers from the bindings this node last saw for each AOR,
 *   unexpired ones only, so calls to phones keep ringing: every binding it reads or
 *   writes, and every AOR of the cluster, read from Redis every `refreshEveryMs` (30 s)
 *   so that phones registered through the other node are known too. A phone that
 *   registered (through the other node) since the last refresh is not known: its calls
 *   take the user's unregistered fallback.
 * - A REGISTER is still refused (the pipeline answers 503 with Retry-After, and a phone
 *   keeps its binding until that expires): a binding written here alone would have to
 *   be merged with what the other node accepted meanwhile, and the phones' refreshes
 *   put the shared store right within one registration interval anyway.
 * - Digest checks count nonces, failures and blocks on this node alone. A nonce issued
 *   before the outage is refused as a replay (the phone is challenged with stale=true
 *   and answers a new nonce at once): its counts so far are in Redis, out of reach, so
 *   a captured request could otherwise be replayed. A request this node accepted
 *   during the outage cannot be replayed here; one the other node accepted during the
 *   outage could be, once, here (its count is in the other node's memory): that is the
 *   price of routing without the shared store, and the node says so in its log. Blocks
 *   Redis reported are remembered, so a blocked source stays blocked. When Redis is back
 *   the outage's nonce counts and blocks are written to it.
 * - Calls answered here are kept here, and call records are queued; both are written
 *   to the shared store when it returns (records by id, so a retry is safe).
 * - A dialog lookup that only the shared store can answer fails at once with
 *   STATE_UNAVAILABLE (the call recorder keeps such a BYE and ends the call when the
 *   store returns: src/pbx/cdr/call-recorder.ts); so does everything else without an
 *   answer here (the live-calls view, call record queries, counts), instead of waiting
 *   out the command timeout.
 */
import { isLive, type Binding } from "./binding.js";
import type { CallRecord, CallRecordQuery } from "./call-record.js";
import type { DialogRecord } from "./dialog-record.js";
import { MemoryStateStore } from "./memory-state-store.js";
import { StateError } from "./state-error.js";
import type {
  BindingCounts,
  BindingsUpdate,
  BindingsUpdated,
  CredentialsCheck,
  NonceCountUse,
  StateHealth,
  StateStore,
  UpdateRefusal,
} from "./state-store.js";

/** The operations that have an answer of this node's own while the shared store is away. */
export type FallbackOperation =
  | "bindings"
  | "credentials"
  | "failures"
  | "blocks"
  | "dialogs"
  | "call records";

/** What the node is told, to say it loudly (logs, metrics). */
export type LastKnownEvent =
  /** An operation was answered from this node's memory; `first` for the first of an outage. */
  | { readonly kind: "fallback"; readonly operation: FallbackOperation; readonly first: boolean; readonly reason: string }
  /** The shared store is back and has been given what was kept for it. */
  | { readonly kind: "reconciled"; readonly dialogs: number; readonly records: number }
  /** The shared store went away again while being given it; tried again when it is back. */
  | { readonly kind: "reconcile-interrupted"; readonly error: unknown; readonly records: number }
  /** Every AOR's bindings were read from the shared store: `aors` of them have some. */
  | { readonly kind: "refreshed"; readonly aors: number }
  /** Reading every AOR's bindings failed other than by Redis going away. */
  | { readonly kind: "refresh-failed"; readonly error: unknown }
  /** Closed with entries never written to the shared store. */
  | { readonly kind: "abandoned"; readonly dialogs: number; readonly records: number }
  /**
   * Lost: a call record when the queue was full (the oldest goes), or an entry the
   * shared store refused (not for being away) when it was written back.
   */
  | { readonly kind: "dropped"; readonly what: WrittenBack; readonly id: string; readonly reason: string };

/** What an outage leaves to be written to the shared store. */
export type WrittenBack = "dialog" | "call record" | "nonce count" | "block";

export interface LastKnownStateStoreOptions {
  /** Epoch ms, the shared store's clock; tests pass a fake. */
  readonly clock?: () => number;
  readonly onEvent?: (event: LastKnownEvent) => void;
  /** How many call records are queued at most while the store is away (default 100,000). */
  readonly maxQueuedRecords?: number;
  /** How often every AOR's bindings are read from the shared store (default 30 s). */
  readonly refreshEveryMs?: number;
}

/** About a day of a 10,000-user site's calls, a few tens of MB. */
const DEFAULT_MAX_QUEUED_RECORDS = 100_000;
/** Reading 10,000 AORs costs Redis and the node some tens of ms: twice a minute is nothing. */
const DEFAULT_REFRESH_EVERY_MS = 30_000;

export class LastKnownStateStore implements StateStore {
  readonly backend: StateStore["backend"];
  private readonly clock: () => number;
  private readonly onEvent: (event: LastKnownEvent) => void;
  private readonly maxQueuedRecords: number;
  /** Each AOR's bindings as this node last saw them in the shared store. */
  private readonly known = new Map<string, readonly Binding[]>();
  /** Nonce counts, failures and blocks while away; dialogs answered while away, until written back. */
  private readonly local: MemoryStateStore;
  private readonly queuedRecords: CallRecord[] = [];
  /** The outage's nonce counts (highest per nonce, with its expiry) and blocks, to write back. */
  private readonly outageNonces = new Map<string, { nc: number; expiresAt: number }>();
  private readonly outageBlocks = new Map<string, number>();
  /** Since this node first answered from its memory, until all it kept is written back; undefined when nothing is owed. */
  private outageSince: number | undefined;
  /**
   * When Redis was last seen to go (its health turning unreachable, or a command failing
   * while none was known): nonces issued before it have counts in Redis that this node
   * cannot see. Moved on every outage, whether or not the last one's write-back ended.
   */
  private nonceCutoff = -Infinity;
  /** Operations answered from memory since start: a write-back goes round again while it grows. */
  private fallbacks = 0;
  private reconciling = false;
  private closed = false;
  private refreshing = false;
  private readonly refreshTimer: NodeJS.Timeout;
  private readonly stopFollowing: () => void;

  constructor(
    private readonly shared: StateStore,
    options: LastKnownStateStoreOptions = {},
  ) {
    this.backend = shared.backend;
    this.clock = options.clock ?? Date.now;
    this.onEvent = options.onEvent ?? (() => {});
    this.maxQueuedRecords = options.maxQueuedRecords ?? DEFAULT_MAX_QUEUED_RECORDS;
    this.local = new MemoryStateStore({ clock: this.clock });
    this.stopFollowing = shared.onHealthChange((health) => {
      if (health.state === "unreachable") this.nonceCutoff = Math.max(this.nonceCutoff, health.since);
      if (health.state === "ready") void this.reconcile();
    });
    this.refreshTimer = setInterval(() => void this.refresh(), options.refreshEveryMs ?? DEFAULT_REFRESH_EVERY_MS).unref();
    void this.refresh();
  }

  // ---- Location service ----------------------------------------------------------

  getBindings(aor: string, now?: number): Promise<readonly Binding[]> {
    return this.either(
      "bindings",
      async () => this.learn(aor, await this.shared.getBindings(aor, now)),
      async () => (this.known.get(aor) ?? []).filter((b) => isLive(b, now ?? this.clock())),
    );
  }

  async updateBindings<R extends UpdateRefusal = UpdateRefusal>(aor: string, update: BindingsUpdate<R>): Promise<BindingsUpdated | R> {
    this.refuseWhileAway();
    const outcome = await this.shared.updateBindings(aor, update);
    if (outcome.kind === "updated") this.learn(aor, outcome.bindings);
    return outcome;
  }

  visitBindings(visit: (aor: string, bindings: readonly Binding[]) => void): Promise<number> {
    return this.sharedOnly(() =>
      this.shared.visitBindings((aor, bindings) => {
        this.learn(aor, bindings);
        visit(aor, bindings);
      }),
    );
  }

  countBindings(): Promise<BindingCounts> {
    return this.sharedOnly(() => this.shared.countBindings());
  }

  // ---- Digest authentication -------------------------------------------------------

  checkCredentials(blockKeys: readonly string[], nonceCount?: NonceCountUse): Promise<CredentialsCheck> {
    return this.either(
      "credentials",
      async () => {
        // A count used during the outage and not yet written back is a replay here too.
        const owed = nonceCount === undefined ? undefined : this.outageNonces.get(nonceCount.nonce);
        const replayed = owed !== undefined && nonceCount!.nc <= owed.nc;
        const check = await this.shared.checkCredentials(blockKeys, replayed ? undefined : nonceCount);
        // Blocks are rare: each one Redis reports is remembered, to hold while it is away.
        for (const [i, until] of check.blockedUntil.entries()) if (until !== undefined) await this.local.block(blockKeys[i]!, until);
        return replayed ? { ...check, fresh: false } : check;
      },
      () => this.checkLocally(blockKeys, nonceCount),
    );
  }

  sharedSecret(name: string): Promise<Buffer> {
    return this.sharedOnly(() => this.shared.sharedSecret(name));
  }

  recordFailure(key: string, windowMs: number): Promise<number> {
    return this.either("failures", () => this.shared.recordFailure(key, windowMs), () => this.local.recordFailure(key, windowMs));
  }

  clearFailures(key: string): Promise<void> {
    return this.either("failures", () => this.shared.clearFailures(key), () => this.local.clearFailures(key));
  }

  block(key: string, untilMs: number): Promise<void> {
    return this.either(
      "blocks",
      async () => {
        await this.shared.block(key, untilMs);
        await this.local.block(key, untilMs);
      },
      async () => {
        await this.local.block(key, untilMs);
        this.outageBlocks.set(key, Math.max(untilMs, this.outageBlocks.get(key) ?? 0));
      },
    );
  }

  async unblock(key: string): Promise<void> {
    await this.local.unblock(key);
    this.outageBlocks.delete(key);
    await this.sharedOnly(() => this.shared.unblock(key));
  }

  blockedUntil(key: string): Promise<number | undefined> {
    return this.either("blocks", () => this.shared.blockedUntil(key), () => this.local.blockedUntil(key));
  }

  // ---- Dialogs: those answered while away live here until written back -----------

  putDialog(dialog: DialogRecord): Promise<void> {
    return this.either("dialogs", () => this.shared.putDialog(dialog), () => this.local.putDialog(dialog));
  }

  async findDialog(callId: string, tag1: string, tag2?: string): Promise<DialogRecord | undefined> {
    return (await this.local.findDialog(callId, tag1, tag2)) ?? this.sharedOnly(() => this.shared.findDialog(callId, tag1, tag2));
  }

  async refreshDialog(id: string, expiresAt: number): Promise<DialogRecord | undefined> {
    return (await this.local.refreshDialog(id, expiresAt)) ?? this.sharedOnly(() => this.shared.refreshDialog(id, expiresAt));
  }

  async endDialog(id: string): Promise<DialogRecord | undefined> {
    return (await this.local.endDialog(id)) ?? this.sharedOnly(() => this.shared.endDialog(id));
  }

  listDialogs(): Promise<DialogRecord[]> {
    return this.sharedOnly(() => this.shared.listDialogs());
  }

  countDialogs(): Promise<number> {
    return this.sharedOnly(() => this.shared.countDialogs());
  }

  // ---- Call records: queued while away -------------------------------------------

  appendCallRecord(record: CallRecord): Promise<void> {
    return this.either("call records", () => this.shared.appendCallRecord(record), async () => this.queue(record));
  }

  callRecords(query?: CallRecordQuery): Promise<CallRecord[]> {
    return this.sharedOnly(() => this.shared.callRecords(query));
  }

  // ---- Lifecycle -------------------------------------------------------------------

  health(): StateHealth {
    return this.shared.health();
  }

  onHealthChange(listener: (health: StateHealth) => void): () => void {
    return this.shared.onHealthChange(listener);
  }

  /** AORs whose bindings this node knows, for metrics: what it could route to while Redis is away. */
  get knownAorCount(): number {
    return this.known.size;
  }

  /** Call records still queued for the shared store, for metrics. */
  get queuedRecordCount(): number {
    return this.queuedRecords.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refreshTimer);
    this.stopFollowing();
    const dialogs = (await this.local.listDialogs()).length;
    if (dialogs > 0 || this.queuedRecords.length > 0) this.tell({ kind: "abandoned", dialogs, records: this.queuedRecords.length });
    await this.local.close();
    await this.shared.close();
  }

  // ---- How each operation chooses ------------------------------------------------

  private away(): boolean {
    return this.shared.health().state === "unreachable";
  }

  /**
   * The shared store's answer, or this node's own while the shared store is away
   * (straight away when its health says so; after the failure when a command finds out).
   */
  private async either<T>(operation: FallbackOperation, shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (!this.away()) {
      try {
        const answer = await shared();
        // Back, and nobody said so (a health change missed, or a write-back cut short).
        if (this.outageSince !== undefined) void this.reconcile();
        return answer;
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        this.fellBack(operation, err.message);
        return local();
      }
    }
    this.fellBack(operation, this.shared.health().lastError ?? "unreachable");
    return local();
  }

  private sharedOnly<T>(run: () => Promise<T>): Promise<T> {
    try {
      this.refuseWhileAway();
    } catch (err) {
      return Promise.reject(err);
    }
    return run();
  }

  /** Fails at once rather than after the command timeout: the caller answers 503 and the phone tries elsewhere. */
  private refuseWhileAway(): void {
    if (!this.away()) return;
    const health = this.shared.health();
    throw new StateError(
      "STATE_UNAVAILABLE",
      `the shared store${health.target === undefined ? "" : ` ${health.target}`} is unreachable (${health.lastError ?? "no connection"}); ` +
        "the node routes calls from what it last knew until it returns: check that Redis is running and reachable",
    );
  }

  private fellBack(operation: FallbackOperation, reason: string): void {
    const first = this.outageSince === undefined;
    const health = this.shared.health();
    // A command failed on a connection that still looks up: the outage starts now.
    if (first && health.state !== "unreachable") this.nonceCutoff = Math.max(this.nonceCutoff, this.clock());
    this.outageSince ??= this.clock();
    this.fallbacks++;
    this.tell({ kind: "fallback", operation, first, reason });
  }

  /** The listener is the node's logging: whatever it does, it must not break a request. */
  private tell(event: LastKnownEvent): void {
    try {
      this.onEvent(event);
    } catch {
      // Nothing to do: the event is lost, the operation goes on.
    }
  }

  /**
   * A digest check while away. A nonce issued before the outage is a replay suspect
   * (its counts are in Redis), so it is refused: the phone is challenged afresh.
   */
  private async checkLocally(blockKeys: readonly string[], nonceCount: NonceCountUse | undefined): Promise<CredentialsCheck> {
    // The nodes of a pair keep NTP time: a nonce the other node issued a few ms before
    // the outage may pass as issued after it. A margin of the seconds a nonce's check
    // allows would refuse every new nonce, and so every call, for those seconds.
    const issuedBefore = nonceCount !== undefined && (nonceCount.issuedAt ?? -Infinity) < this.nonceCutoff;
    const check = await this.local.checkCredentials(blockKeys, issuedBefore ? undefined : nonceCount);
    if (nonceCount === undefined) return check;
    if (issuedBefore) return { ...check, fresh: false };
    if (check.fresh === true) {
      const expiresAt = this.clock() + nonceCount.ttlMs;
      this.outageNonces.set(nonceCount.nonce, { nc: Math.max(nonceCount.nc, this.outageNonces.get(nonceCount.nonce)?.nc ?? 0), expiresAt });
    }
    return check;
  }

  /**
   * Reads every AOR's bindings, and forgets AORs whose bindings have all expired. An
   * AOR unregistered through the other node keeps its last bindings here until they
   * expire or the next refresh replaces them: "last known" is what it says.
   */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.closed || this.away()) return;
    this.refreshing = true;
    try {
      const now = this.clock();
      for (const [aor, bindings] of this.known) if (!bindings.some((b) => isLive(b, now))) this.known.delete(aor);
      const aors = await this.shared.visitBindings((aor, bindings) => this.known.set(aor, bindings));
      this.tell({ kind: "refreshed", aors });
    } catch (error) {
      // Redis going away mid-walk (its health says so) or the store closing is no news:
      // what was read is kept, and the next refresh reads the rest.
      if (!isUnavailable(error) && !isClosed(error)) this.tell({ kind: "refresh-failed", error });
    } finally {
      this.refreshing = false;
    }
  }

  private learn(aor: string, bindings: readonly Binding[]): readonly Binding[] {
    if (bindings.length === 0) this.known.delete(aor);
    else this.known.set(aor, bindings);
    return bindings;
  }

  private queue(record: CallRecord): void {
    if (this.queuedRecords.length >= this.maxQueuedRecords) {
      const oldest = this.queuedRecords.shift()!;
      this.tell({ kind: "dropped", what: "call record", id: oldest.id, reason: `the queue of ${this.maxQueuedRecords} records was full` });
    }
    this.queuedRecords.push(record);
  }

  /**
   * Gives the shared store what was kept for it: the outage's nonce counts and blocks,
   * the dialogs answered here (a dialog whose BYE came while it was being written is
   * ended there again), then the queued records, oldest first, each removed once
   * written; over again while the outage left more behind meanwhile. Going away again
   * stops it until the store is back; anything else the store refuses is dropped,
   * loudly, so that one bad entry cannot hold up the rest.
   */
  private async reconcile(): Promise<void> {
    if (this.outageSince === undefined || this.closed || this.reconciling) return;
    this.reconciling = true;
    let dialogs = 0;
    let records = 0;
    try {
      for (;;) {
        const fallbacks = this.fallbacks;
        await this.writeBackAuthState();
        const kept = await this.local.listDialogs();
        for (const dialog of kept) {
          await this.writeBack("dialog", dialog.id, async () => {
            await this.shared.putDialog(dialog);
            // Its BYE came while it was being written, and ended it here: end it there too.
            if ((await this.local.endDialog(dialog.id)) === undefined) await this.shared.endDialog(dialog.id);
          });
          await this.local.endDialog(dialog.id);
          dialogs++;
        }
        while (this.queuedRecords.length > 0) {
          const record = this.queuedRecords[0]!;
          await this.writeBack("call record", record.id, () => this.shared.appendCallRecord(record));
          this.queuedRecords.shift();
          records++;
        }
        // Requests answered from memory meanwhile may have left more.
        const more = this.fallbacks !== fallbacks || kept.length > 0 || this.queuedRecords.length > 0 || this.outageNonces.size > 0 || this.outageBlocks.size > 0;
        if (!more) break;
      }
      this.outageSince = undefined;
      this.tell({ kind: "reconciled", dialogs, records });
    } catch (error) {
      this.tell({ kind: "reconcile-interrupted", error, records: this.queuedRecords.length });
    } finally {
      this.reconciling = false;
    }
  }

  /** The outage's nonce counts (each only raises what Redis holds) and blocks (each only lengthens one). */
  private async writeBackAuthState(): Promise<void> {
    for (const [nonce, { nc, expiresAt }] of this.outageNonces) {
      const ttlMs = expiresAt - this.clock();
      if (ttlMs > 0) await this.writeBack("nonce count", nonce, async () => void (await this.shared.checkCredentials([], { nonce, nc, ttlMs })));
      this.outageNonces.delete(nonce);
    }
    for (const [key, until] of this.outageBlocks) {
      if (until > this.clock()) await this.writeBack("block", key, () => this.shared.block(key, until));
      this.outageBlocks.delete(key);
    }
  }

  /** Runs one write-back; rethrows only the store's being away or closed (which stop the reconciling). */
  private async writeBack(what: WrittenBack, id: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (isUnavailable(err) || isClosed(err)) throw err;
      this.tell({ kind: "dropped", what, id, reason: err instanceof Error ? err.message : String(err) });
    }
  }
}

function isUnavailable(err: unknown): err is StateError {
  return err instanceof StateError && err.code === "STATE_UNAVAILABLE";
}

function isClosed(err: unknown): boolean {
  return err instanceof StateError && err.code === "STATE_CLOSED";
}

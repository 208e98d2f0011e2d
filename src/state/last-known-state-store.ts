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
import type { FallbackOperation, LastKnownEvent } from "./last-known-events.js";
import { MemoryStateStore } from "./memory-state-store.js";
import { OutageDebt } from "./outage-debt.js";
import { isStateError, StateError } from "./state-error.js";
import type {
  BindingCounts,
  BindingsUpdate,
  BindingsUpdated,
  CredentialsCheck,
  CredentialsRefused,
  CredentialsUse,
  NonceCountUse,
  StateHealth,
  StateStore,
  UpdateRefusal,
} from "./state-store.js";
import { refusesCredentials } from "./state-store.js";

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
  /** Each AOR's bindings as this node last saw them in the shared store. */
  private readonly known = new Map<string, readonly Binding[]>();
  /** Nonce counts, failures and blocks while away; dialogs answered while away, until written back. */
  private readonly local: MemoryStateStore;
  private readonly debt: OutageDebt;
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
    this.local = new MemoryStateStore({ clock: this.clock });
    this.debt = new OutageDebt(this.local, this.clock, (event) => this.tell(event), options.maxQueuedRecords ?? DEFAULT_MAX_QUEUED_RECORDS);
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

  async updateBindings<R extends UpdateRefusal = UpdateRefusal>(
    aor: string,
    update: BindingsUpdate<R>,
    credentials?: CredentialsUse,
  ): Promise<BindingsUpdated | R | CredentialsRefused> {
    // While Redis is away a REGISTER is refused (503), but its credentials are checked
    // first, from this node's memory as `checkCredentials` does: a blocked user must
    // hear 403 whether or not its password was right, never a 503 that only a right one
    // earns. A count used during the outage and not yet written back is a replay here too.
    if (credentials !== undefined && (this.away() || this.debt.owesCount(credentials.nonceCount))) {
      const check = await this.checkCredentials(credentials.blockKeys, credentials.nonceCount);
      if (refusesCredentials(check)) return { kind: "credentials refused", check };
    }
    this.refuseWhileAway();
    let outcome: BindingsUpdated | R | CredentialsRefused;
    try {
      outcome = await this.shared.updateBindings(aor, update, credentials);
    } catch (err) {
      if (credentials === undefined || !isStateError(err, "STATE_UNAVAILABLE")) throw err;
      // Lost on the way: whether Redis checked the credentials is unknown, so this node
      // checks them from its memory, as above, before the 503.
      this.fellBack("credentials", err.message);
      const check = await this.checkLocally(credentials.blockKeys, credentials.nonceCount);
      if (refusesCredentials(check)) return { kind: "credentials refused", check };
      throw err;
    }
    if (outcome.kind === "updated") this.learn(aor, outcome.bindings);
    else if (outcome.kind === "credentials refused" && credentials) await this.rememberBlocks(credentials.blockKeys, outcome.check);
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
        const replayed = nonceCount !== undefined && this.debt.owesCount(nonceCount);
        const check = await this.shared.checkCredentials(blockKeys, replayed ? undefined : nonceCount);
        await this.rememberBlocks(blockKeys, check);
        return replayed ? { ...check, fresh: false } : check;
      },
      () => this.checkLocally(blockKeys, nonceCount),
    );
  }

  /** Blocks are rare: each one Redis reports is remembered, to hold while it is away. */
  private async rememberBlocks(blockKeys: readonly string[], check: CredentialsCheck): Promise<void> {
    for (let i = 0; i < blockKeys.length; i++) {
      const until = check.blockedUntil[i];
      if (until !== undefined) await this.local.block(blockKeys[i]!, until);
    }
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
        this.debt.block(key, untilMs);
      },
    );
  }

  async unblock(key: string): Promise<void> {
    await this.local.unblock(key);
    this.debt.unblock(key);
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

  async endDialog(id: string, expiringBy?: number): Promise<DialogRecord | undefined> {
    return (await this.local.endDialog(id, expiringBy)) ?? this.sharedOnly(() => this.shared.endDialog(id, expiringBy));
  }

  listDialogs(expiringBy?: number): Promise<DialogRecord[]> {
    return this.sharedOnly(() => this.shared.listDialogs(expiringBy));
  }

  countDialogs(): Promise<number> {
    return this.sharedOnly(() => this.shared.countDialogs());
  }

  // ---- Call records: queued while away -------------------------------------------

  appendCallRecord(record: CallRecord): Promise<void> {
    return this.either("call records", () => this.shared.appendCallRecord(record), async () => this.debt.queue(record));
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
    return this.debt.queuedRecords;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refreshTimer);
    this.stopFollowing();
    const dialogs = (await this.local.listDialogs()).length;
    if (dialogs > 0 || this.debt.queuedRecords > 0) this.tell({ kind: "abandoned", dialogs, records: this.debt.queuedRecords });
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
        if (!isStateError(err, "STATE_UNAVAILABLE")) throw err;
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
    if (check.fresh === true) this.debt.count(nonceCount);
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
      if (!isStateError(error, "STATE_UNAVAILABLE") && !isStateError(error, "STATE_CLOSED")) this.tell({ kind: "refresh-failed", error });
    } finally {
      this.refreshing = false;
    }
  }

  private learn(aor: string, bindings: readonly Binding[]): readonly Binding[] {
    if (bindings.length === 0) this.known.delete(aor);
    else this.known.set(aor, bindings);
    return bindings;
  }

  /** Pays the outage's debt (outage-debt.ts), unless a payment is under way or nothing is owed. */
  private async reconcile(): Promise<void> {
    if (this.outageSince === undefined || this.closed || this.reconciling) return;
    this.reconciling = true;
    try {
      const paid = await this.debt.payTo(this.shared, () => this.fallbacks);
      this.outageSince = undefined;
      this.tell({ kind: "reconciled", ...paid });
    } catch (error) {
      this.tell({ kind: "reconcile-interrupted", error, records: this.debt.queuedRecords });
    } finally {
      this.reconciling = false;
    }
  }
}


import type { Redis } from "ioredis";
import { BatchedWrites } from "./batched-writes.js";
import type { Binding } from "./binding.js";
import type { CallRecord, CallRecordQuery, CallRecordRetention } from "./call-record.js";
import { checkPositiveInteger, checkRetention } from "./check-argument.js";
import type { DialogRecord } from "./dialog-record.js";
import { HealthTracker } from "./health-tracker.js";
import { connectRedis, type RedisConnectionSettings } from "./redis-connection.js";
import { RedisAuthState } from "./redis-auth-state.js";
import { RedisCallState, type RedisContext } from "./redis-call-state.js";
import { RedisLocation } from "./redis-location.js";
import { RedisKeys } from "./redis-keys.js";
import { StateError } from "./state-error.js";
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

export interface RedisStateStoreOptions extends RedisConnectionSettings {
  /** An ioredis client to use instead of `url`/`sentinel`; the store does not close it. */
  readonly client?: Redis;
  /** Prefix of every key (default `strowger:`). */
  readonly keyPrefix?: string;
  /** Epoch ms; tests pass a fake. Both nodes' clocks must agree (NTP). */
  readonly clock?: () => number;
  /** Compare-and-set attempts of one AOR update before STATE_CONFLICT (default 8). */
  readonly maxUpdateAttempts?: number;
  /**
   * How long after its expiry Redis keeps a value (default 10 s). Expiry is decided by
   * the nodes' clocks, not by Redis; the grace keeps a value for a node whose clock
   * lags a little, and TTLs are relative (PEXPIRE, not PEXPIREAT) so Redis's own clock
   * does not matter.
   */
  readonly expiryGraceMs?: number;
  /**
   * How many call records Redis keeps (default all). Each record costs Redis about
   * 0.5-1 KB; export them (`strowger cdr export`) before they are trimmed.
   */
  readonly callRecordRetention?: CallRecordRetention;
}

const DEFAULT_KEY_PREFIX = "strowger:";
const DEFAULT_MAX_UPDATE_ATTEMPTS = 8;
const DEFAULT_EXPIRY_GRACE_MS = 10_000;


/**
 * The state store of an active-active pair: every node reads and writes the same Redis
 * (directly, or through Sentinel), so a phone registered through one node is reachable
 * through the other at once. The key layout is in README.md. The location service
 * (redis-location.ts), authentication's state (redis-auth-state.ts) and the calls'
 * (redis-call-state.ts) each have a file of their own; this one holds the connection.
 */
export class RedisStateStore implements StateStore {
  readonly backend = "redis" as const;
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly keys: RedisKeys;
  private readonly clock: () => number;
  private readonly maxUpdateAttempts: number;
  private readonly graceMs: number;
  private readonly retention: CallRecordRetention;
  private readonly target: string;
  private readonly tracker: HealthTracker;
  private readonly detach: () => void;
  private readonly calls: RedisCallState;
  private readonly auth: RedisAuthState;
  private readonly location: RedisLocation;
  private readonly writes: BatchedWrites;

  constructor(options: RedisStateStoreOptions) {
    this.clock = options.clock ?? Date.now;
    this.keys = new RedisKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.maxUpdateAttempts = options.maxUpdateAttempts ?? DEFAULT_MAX_UPDATE_ATTEMPTS;
    this.graceMs = options.expiryGraceMs ?? DEFAULT_EXPIRY_GRACE_MS;
    checkPositiveInteger("maxUpdateAttempts", this.maxUpdateAttempts);
    checkPositiveInteger("expiryGraceMs", this.graceMs);
    this.retention = options.callRecordRetention ?? {};
    checkRetention(this.retention);
    if (options.client !== undefined) {
      this.redis = options.client;
      this.ownsClient = false;
      this.target = describeClient(options.client);
    } else {
      const { client, target } = connectRedis(options);
      this.redis = client;
      this.ownsClient = true;
      this.target = target;
    }
    this.writes = new BatchedWrites(this.redis);
    this.tracker = new HealthTracker("redis", this.redis.status === "ready" ? "ready" : "connecting", this.clock, this.target);
    this.detach = this.followConnection();
    const context: RedisContext = {
      redis: this.redis,
      keys: this.keys,
      clock: this.clock,
      graceMs: this.graceMs,
      maxUpdateAttempts: this.maxUpdateAttempts,
      retention: this.retention,
      assertOpen: () => this.assertOpen(),
      command: (what, run) => this.command(what, run),
    };
    this.calls = new RedisCallState(context);
    this.auth = new RedisAuthState(context);
    this.location = new RedisLocation(context, this.auth);
  }

  // ---- Location service (redis-location.ts) ---------------------------------------

  getBindings(aor: string, now?: number): Promise<readonly Binding[]> {
    return this.location.getBindings(aor, now);
  }

  updateBindings<R extends UpdateRefusal = UpdateRefusal>(
    aor: string,
    update: BindingsUpdate<R>,
    credentials?: CredentialsUse,
  ): Promise<BindingsUpdated | R | CredentialsRefused> {
    return this.location.updateBindings(aor, update, credentials);
  }

  visitBindings(visit: (aor: string, bindings: readonly Binding[]) => void): Promise<number> {
    return this.location.visitBindings(visit);
  }

  countBindings(): Promise<BindingCounts> {
    return this.location.countBindings();
  }

  // ---- Digest credentials and failed authentication (redis-auth-state.ts) ----------

  checkCredentials(blockKeys: readonly string[], nonceCount?: NonceCountUse): Promise<CredentialsCheck> {
    return this.auth.checkCredentials(blockKeys, nonceCount);
  }

  sharedSecret(name: string): Promise<Buffer> {
    return this.auth.sharedSecret(name);
  }

  recordFailure(key: string, windowMs: number): Promise<number> {
    return this.auth.recordFailure(key, windowMs);
  }

  clearFailures(key: string): Promise<void> {
    return this.auth.clearFailures(key);
  }

  block(key: string, untilMs: number): Promise<void> {
    return this.auth.block(key, untilMs);
  }

  unblock(key: string): Promise<void> {
    return this.auth.unblock(key);
  }

  blockedUntil(key: string): Promise<number | undefined> {
    return this.auth.blockedUntil(key);
  }

  // ---- Dialogs and call records (redis-call-state.ts) -----------------------------

  putDialog(dialog: DialogRecord): Promise<void> {
    return this.calls.putDialog(dialog);
  }

  findDialog(callId: string, tag1: string, tag2?: string): Promise<DialogRecord | undefined> {
    return this.calls.findDialog(callId, tag1, tag2);
  }

  refreshDialog(id: string, expiresAt: number): Promise<DialogRecord | undefined> {
    return this.calls.refreshDialog(id, expiresAt);
  }

  endDialog(id: string, expiringBy?: number): Promise<DialogRecord | undefined> {
    return this.calls.endDialog(id, expiringBy);
  }

  listDialogs(expiringBy?: number): Promise<DialogRecord[]> {
    return this.calls.listDialogs(expiringBy);
  }

  countDialogs(): Promise<number> {
    return this.calls.countDialogs();
  }

  appendCallRecord(record: CallRecord): Promise<void> {
    return this.calls.appendCallRecord(record);
  }

  callRecords(query: CallRecordQuery = {}): Promise<CallRecord[]> {
    return this.calls.callRecords(query);
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
    this.detach();
    if (!this.ownsClient) return;
    if (this.redis.status === "ready") {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }

  // ---- Internals -----------------------------------------------------------------

  /** Mirrors the connection's state in `health()`, so the node can report it. */
  private followConnection(): () => void {
    const onReady = (): void => this.tracker.set("ready");
    const onError = (err: Error): void => this.tracker.set("unreachable", err.message);
    const onLost = (): void => this.tracker.set("unreachable", "connection closed");
    const handlers: [string, Parameters<Redis["on"]>[1]][] = [
      ["ready", onReady],
      ["error", onError],
      ["close", onLost],
      ["end", onLost],
    ];
    for (const [event, handler] of handlers) this.redis.on(event, handler);
    return () => {
      for (const [event, handler] of handlers) this.redis.off(event, handler);
      // ioredis treats an "error" with no listener as fatal; the owner of a shared client has its own.
      if (this.ownsClient) this.redis.on("error", () => {});
    };
  }

  private assertOpen(): void {
    if (this.tracker.health.state === "closed") throw new StateError("STATE_CLOSED", "the state store is closed");
  }

  /** Runs one Redis round trip; a failure of Redis itself becomes STATE_UNAVAILABLE. */
  private async command<T>(what: string, run: () => Promise<T>): Promise<T> {
    this.writes.hold();
    try {
      return await run();
    } catch (err) {
      if (err instanceof StateError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (message.startsWith("WRONGTYPE")) {
        throw new StateError("STATE_BAD_VALUE", `could not ${what}: a key holds another type (${message}); is another application using prefix ${this.keys.prefix}?`, { cause: err });
      }
      throw new StateError("STATE_UNAVAILABLE", `could not ${what} on Redis ${this.target}: ${message}. Check that Redis is running and reachable.`, { cause: err });
    }
  }
}

function describeClient(client: Redis): string {
  const { host, port, db, sentinels, name } = client.options;
  return sentinels ? `sentinel ${name ?? ""} db ${db ?? 0}` : `redis://${host ?? "127.0.0.1"}:${port ?? 6379}/${db ?? 0}`;
}

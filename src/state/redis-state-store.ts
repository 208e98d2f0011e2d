import { setTimeout as delay } from "node:timers/promises";
import type { Redis } from "ioredis";
import { isLive, type Binding } from "./binding.js";
import { acceptBindings } from "./accept-bindings.js";
import { BatchedWrites } from "./batched-writes.js";
import { decodeBindings, encodeBindings } from "./binding-codec.js";
import type { CallRecord, CallRecordQuery, CallRecordRetention } from "./call-record.js";
import { checkPositiveInteger, checkRetention } from "./check-argument.js";
import type { DialogRecord } from "./dialog-record.js";
import { HealthTracker } from "./health-tracker.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { connectRedis, type RedisConnectionSettings } from "./redis-connection.js";
import { RedisAuthState, readCredentialsCheck, type CredentialsReply } from "./redis-auth-state.js";
import { RedisCallState, type RedisContext } from "./redis-call-state.js";
import { RedisKeys } from "./redis-keys.js";
import * as scripts from "./redis-scripts.js";
import { isStateError, StateError } from "./state-error.js";
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
/** AORs read per MGET by `visitBindings`: a page decodes in a few ms, so the walk never holds the event loop long. */
const VISIT_PAGE = 500;
const DEFAULT_MAX_UPDATE_ATTEMPTS = 8;
const DEFAULT_EXPIRY_GRACE_MS = 10_000;
/** AORs whose last written value a node remembers (about 0.5 KB each). */
const LAST_WRITTEN_LIMIT = 20_000;

/** One compare-and-set's outcome: done, refused, or the key changed (after the credentials passed, when they went with it). */
type Attempt<R> = BindingsUpdated | R | CredentialsRefused | "conflict" | "conflict after the check";

/**
 * The state store of an active-active pair: every node reads and writes the same Redis
 * (directly, or through Sentinel), so a phone registered through one node is reachable
 * through the other at once. The key layout is in README.md.
 *
 * One AOR update is an optimistic transaction: read the AOR's value, run the pure
 * callback, then a Lua compare-and-set writes the new value only if the key still holds
 * what was read, else read and run again. WATCH/MULTI would do the same but WATCH
 * belongs to a connection, and this node shares one connection among all its
 * requests: another request's EXEC would drop this one's WATCH. Updates of one AOR from
 * this node are queued (`KeyedMutex`), so the race is only ever with the other node.
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
  private readonly aorQueue = new KeyedMutex();
  private readonly lastWritten = new Map<string, string>();
  private readonly detach: () => void;
  private readonly calls: RedisCallState;
  private readonly auth: RedisAuthState;
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
  }

  // ---- Location service ----------------------------------------------------------

  async getBindings(aor: string, now = this.clock()): Promise<readonly Binding[]> {
    this.assertOpen();
    const key = this.keys.aor(aor);
    const raw = await this.command("read the bindings of " + aor, () => this.redis.get(key));
    return raw === null ? [] : decodeBindings(raw, aor, key).filter((b) => isLive(b, now));
  }

  updateBindings<R extends UpdateRefusal = UpdateRefusal>(aor: string, update: BindingsUpdate<R>): Promise<BindingsUpdated | R>;
  updateBindings<R extends UpdateRefusal = UpdateRefusal>(
    aor: string,
    update: BindingsUpdate<R>,
    credentials: CredentialsUse,
  ): Promise<BindingsUpdated | R | CredentialsRefused>;
  async updateBindings<R extends UpdateRefusal = UpdateRefusal>(
    aor: string,
    update: BindingsUpdate<R>,
    credentials?: CredentialsUse,
  ): Promise<BindingsUpdated | R | CredentialsRefused> {
    this.assertOpen();
    return this.aorQueue.run(aor, async () => {
      // The first attempt goes without reading: it expects what this node last wrote
      // (or no key at all), which the compare-and-set checks. A phone refreshing
      // through the node it registered with, and every new registration, then costs
      // one round trip instead of two; a wrong guess costs a read and a second try.
      let guess: string | null | undefined = this.lastWritten.get(aor) ?? null;
      // Credentials go with the first write, in its script; once checked, never again
      // (their nonce count is used).
      let unchecked = credentials;
      for (let attempt = 1; attempt <= this.maxUpdateAttempts; attempt++) {
        let outcome: Attempt<R>;
        try {
          outcome = await this.tryUpdate(aor, update, guess, unchecked);
        } catch (err) {
          // Failed before its script (a value that cannot be read, the callback's own
          // error): the credentials are checked first all the same, so that a blocked
          // user hears 403 and not an error only a right password reaches.
          if (unchecked === undefined || isStateError(err, "STATE_UNAVAILABLE")) throw err;
          const check = await this.auth.checkCredentials(unchecked.blockKeys, unchecked.nonceCount);
          if (refusesCredentials(check)) return { kind: "credentials refused", check };
          throw err;
        }
        if (outcome === "conflict" || outcome === "conflict after the check") {
          if (outcome === "conflict after the check") unchecked = undefined;
          // A wrong guess (a first attempt) is retried at once, reading this time.
          if (guess !== undefined) {
            guess = undefined;
            continue;
          }
          // The other node wrote between our read and our write. A short random pause
          // keeps the two from colliding again in lockstep.
          await delay(Math.random() * attempt * 2);
          continue;
        }
        // The update's refusal is told only once the credentials passed (state-store.ts).
        if (outcome.kind === "refused" && unchecked !== undefined) {
          const check = await this.auth.checkCredentials(unchecked.blockKeys, unchecked.nonceCount);
          if (refusesCredentials(check)) return { kind: "credentials refused", check };
        }
        return outcome;
      }
      throw new StateError(
        "STATE_CONFLICT",
        `the bindings of ${aor} changed under every one of ${this.maxUpdateAttempts} attempts to update them; the phone's retry will go through`,
      );
    });
  }

  /**
   * `guess`: the value to expect instead of reading it (null: no key); undefined: read it.
   * `credentials`: to check in the same script, before the compare-and-set.
   */
  private async tryUpdate<R extends UpdateRefusal>(
    aor: string,
    update: BindingsUpdate<R>,
    guess: string | null | undefined,
    credentials: CredentialsUse | undefined,
  ): Promise<Attempt<R>> {
    const key = this.keys.aor(aor);
    const raw = guess !== undefined ? guess : await this.command("read the bindings of " + aor, () => this.redis.get(key));
    const stored = raw === null ? [] : decodeBindings(raw, aor, key);
    const now = this.clock();
    const previous = stored.filter((b) => isLive(b, now));
    const result = update(previous, now);
    if (!Array.isArray(result)) {
      // A refusal on a guess proves nothing: the real bindings may differ.
      return guess !== undefined ? "conflict" : (result as R);
    }
    const bindings = acceptBindings(aor, result as readonly Binding[], now);

    // The binding index follows the set: members of bindings no longer stored go (the
    // expired ones too), every stored binding is (re)scored by its expiry.
    const kept = new Set(bindings.map((b) => b.key));
    const removed = stored.filter((b) => !kept.has(b.key)).map((b) => this.keys.bindingMember(aor, b.key));
    const added = bindings.flatMap((b) => [b.expiresAt, this.keys.bindingMember(aor, b.key)]);
    const latest = Math.max(0, ...bindings.map((b) => b.expiresAt));
    const value = bindings.length === 0 ? "" : encodeBindings(bindings);
    const casKeys = [key, this.keys.bindingIndex, this.keys.aorIndex];
    const casArgs = [
      raw === null ? "0" : "1",
      raw ?? "",
      value,
      bindings.length === 0 ? 0 : latest - now + this.graceMs,
      latest,
      aor,
      now - this.graceMs,
      removed.length,
      ...removed,
      ...added,
    ];
    let written: unknown;
    if (credentials === undefined) {
      written = await this.command("update the bindings of " + aor, () => scripts.casBindings.run(this.redis, casKeys, casArgs));
    } else {
      const check = this.auth.credentialsCommand(credentials.blockKeys, credentials.nonceCount, now);
      const [outcome, ...checked] = (await this.command("check credentials and update the bindings of " + aor, () =>
        scripts.casBindingsIfCredentials.run(this.redis, [...casKeys, ...check.keys], [...check.args, ...casArgs]),
      )) as [number, ...CredentialsReply];
      if (outcome === -1) return { kind: "credentials refused", check: readCredentialsCheck(credentials.blockKeys, checked, now) };
      written = outcome;
    }
    if (written !== 1) {
      this.lastWritten.delete(aor);
      return credentials === undefined ? "conflict" : "conflict after the check";
    }
    this.rememberWritten(aor, value === "" ? undefined : value);
    return { kind: "updated", bindings, previous };
  }

  /** A bounded memory of the values this node wrote last, for the next update's guess. */
  private rememberWritten(aor: string, value: string | undefined): void {
    this.lastWritten.delete(aor);
    if (value === undefined) return;
    if (this.lastWritten.size >= LAST_WRITTEN_LIMIT) this.lastWritten.delete(this.lastWritten.keys().next().value!);
    this.lastWritten.set(aor, value);
  }

  async visitBindings(visit: (aor: string, bindings: readonly Binding[]) => void): Promise<number> {
    this.assertOpen();
    const now = this.clock();
    const aors = await this.command("list the registered AORs", () => this.redis.zrangebyscore(this.keys.aorIndex, `(${now}`, "+inf"));
    let visited = 0;
    for (let i = 0; i < aors.length; i += VISIT_PAGE) {
      const page = aors.slice(i, i + VISIT_PAGE);
      const keys = page.map((aor) => this.keys.aor(aor));
      const values = await this.command("read the bindings of registered AORs", () => this.redis.mget(keys));
      for (const [j, raw] of values.entries()) {
        const live = raw === null ? [] : readableBindings(raw, page[j]!, keys[j]!).filter((b) => isLive(b, now));
        if (live.length === 0) continue;
        visit(page[j]!, live);
        visited++;
      }
    }
    return visited;
  }

  async countBindings(): Promise<BindingCounts> {
    this.assertOpen();
    const live = `(${this.clock()}`; // scores above now: expiresAt > now
    const [aors, bindings] = await this.command("count the bindings", () =>
      Promise.all([this.redis.zcount(this.keys.aorIndex, live, "+inf"), this.redis.zcount(this.keys.bindingIndex, live, "+inf")]),
    );
    return { aors, bindings };
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

/**
 * An AOR's bindings for `visitBindings`, or none when its value cannot be read: one
 * value written by hand, or by a newer version during a rolling upgrade, must not end
 * the walk. `getBindings` on that AOR still says what is wrong with it.
 */
function readableBindings(raw: string, aor: string, key: string): readonly Binding[] {
  try {
    return decodeBindings(raw, aor, key);
  } catch (err) {
    if (isStateError(err, "STATE_BAD_VALUE")) return [];
    throw err;
  }
}

function describeClient(client: Redis): string {
  const { host, port, db, sentinels, name } = client.options;
  return sentinels ? `sentinel ${name ?? ""} db ${db ?? 0}` : `redis://${host ?? "127.0.0.1"}:${port ?? 6379}/${db ?? 0}`;
}

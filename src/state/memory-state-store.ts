import { randomBytes } from "node:crypto";
import { isLive, type Binding } from "./binding.js";
import { acceptBindings } from "./accept-bindings.js";
import { checkInstant, checkPositiveInteger } from "./check-argument.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { HealthTracker } from "./health-tracker.js";
import { StateError } from "./state-error.js";
import type { BindingCounts, BindingsUpdate, BindingsUpdated, StateHealth, StateStore, UpdateRefusal } from "./state-store.js";

export interface MemoryStateStoreOptions {
  /** Epoch ms; tests pass a fake. */
  readonly clock?: () => number;
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

  private readonly aorExpiry = new ExpiryQueue<string>();
  private readonly nonceExpiry = new ExpiryQueue<string>();
  private readonly failureExpiry = new ExpiryQueue<string>();
  private readonly blockExpiry = new ExpiryQueue<string>();

  constructor(options: MemoryStateStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.tracker = new HealthTracker("memory", "ready", this.clock);
  }

  // ---- Location service ----------------------------------------------------------

  async getBindings(aor: string, now = this.clock()): Promise<readonly Binding[]> {
    this.open(now);
    return this.live(aor, now);
  }

  async updateBindings<R extends UpdateRefusal = UpdateRefusal>(aor: string, update: BindingsUpdate<R>): Promise<BindingsUpdated | R> {
    const now = this.clock();
    this.open(now);
    const previous = this.live(aor, now);
    const result = update(previous, now);
    if (!Array.isArray(result)) return result as R;
    const bindings = acceptBindings(aor, result as readonly Binding[], now).map(freeze);
    this.store(aor, bindings);
    return { kind: "updated", bindings, previous };
  }

  async countBindings(): Promise<BindingCounts> {
    const now = this.clock();
    this.open(now);
    this.sweepAors(now, Infinity);
    return { aors: this.aors.size, bindings: this.bindingCount };
  }

  // ---- Digest nonce counts -------------------------------------------------------

  async useNonceCount(nonce: string, nc: number, ttlMs: number): Promise<boolean> {
    checkPositiveInteger("nc", nc);
    checkPositiveInteger("ttlMs", ttlMs);
    const now = this.clock();
    this.open(now);
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
    const until = this.blocks.get(key);
    return until !== undefined && now < until ? until : undefined;
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
    this.aors.clear();
    this.nonces.clear();
    this.failures.clear();
    this.blocks.clear();
    this.bindingCount = 0;
    this.tracker.set("closed");
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

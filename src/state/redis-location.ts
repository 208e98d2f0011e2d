/**
 * The location service on Redis (RFC 3261 §10.3), for RedisStateStore, which delegates
 * to it as it does to RedisAuthState and RedisCallState. The key layout is in README.md.
 */
import { setTimeout as delay } from "node:timers/promises";
import { acceptBindings } from "./accept-bindings.js";
import { isLive, type Binding } from "./binding.js";
import { decodeBindings, encodeBindings } from "./binding-codec.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { readCredentialsCheck, type CredentialsReply, type RedisAuthState } from "./redis-auth-state.js";
import type { RedisContext } from "./redis-call-state.js";
import * as scripts from "./redis-scripts.js";
import { isStateError, StateError } from "./state-error.js";
import {
  refusesCredentials,
  type BindingCounts,
  type BindingsUpdate,
  type BindingsUpdated,
  type CredentialsRefused,
  type CredentialsUse,
  type UpdateRefusal,
} from "./state-store.js";

/** AORs read per MGET by `visitBindings`: a page decodes in a few ms, so the walk never holds the event loop long. */
const VISIT_PAGE = 500;
/** AORs whose last written value a node remembers (about 0.5 KB each). */
const LAST_WRITTEN_LIMIT = 20_000;

/** One compare-and-set's outcome: done, refused, or the key changed (after the credentials passed, when they went with it). */
type Attempt<R> = BindingsUpdated | R | CredentialsRefused | "conflict" | "conflict after the check";

/**
 * One AOR update is an optimistic transaction: read the AOR's value, run the pure
 * callback, then a Lua compare-and-set writes the new value only if the key still holds
 * what was read, else read and run again. WATCH/MULTI would do the same but WATCH
 * belongs to a connection, and this node shares one connection among all its
 * requests: another request's EXEC would drop this one's WATCH. Updates of one AOR from
 * this node are queued (`KeyedMutex`), so the race is only ever with the other node.
 */
export class RedisLocation {
  private readonly aorQueue = new KeyedMutex();
  private readonly lastWritten = new Map<string, string>();

  constructor(
    private readonly ctx: RedisContext,
    private readonly auth: RedisAuthState,
  ) {}

  async getBindings(aor: string, now = this.ctx.clock()): Promise<readonly Binding[]> {
    this.ctx.assertOpen();
    const key = this.ctx.keys.aor(aor);
    const raw = await this.ctx.command("read the bindings of " + aor, () => this.ctx.redis.get(key));
    return raw === null ? [] : decodeBindings(raw, aor, key).filter((b) => isLive(b, now));
  }

  async updateBindings<R extends UpdateRefusal = UpdateRefusal>(
    aor: string,
    update: BindingsUpdate<R>,
    credentials?: CredentialsUse,
  ): Promise<BindingsUpdated | R | CredentialsRefused> {
    this.ctx.assertOpen();
    return this.aorQueue.run(aor, async () => {
      // The first attempt goes without reading: it expects what this node last wrote
      // (or no key at all), which the compare-and-set checks. A phone refreshing
      // through the node it registered with, and every new registration, then costs
      // one round trip instead of two; a wrong guess costs a read and a second try.
      let guess: string | null | undefined = this.lastWritten.get(aor) ?? null;
      // Credentials go with the first write, in its script; once checked, never again
      // (their nonce count is used).
      let unchecked = credentials;
      for (let attempt = 1; attempt <= this.ctx.maxUpdateAttempts; attempt++) {
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
        `the bindings of ${aor} changed under every one of ${this.ctx.maxUpdateAttempts} attempts to update them; the phone's retry will go through`,
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
    const key = this.ctx.keys.aor(aor);
    const raw = guess !== undefined ? guess : await this.ctx.command("read the bindings of " + aor, () => this.ctx.redis.get(key));
    const stored = raw === null ? [] : decodeBindings(raw, aor, key);
    const now = this.ctx.clock();
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
    const removed = stored.filter((b) => !kept.has(b.key)).map((b) => this.ctx.keys.bindingMember(aor, b.key));
    const added = bindings.flatMap((b) => [b.expiresAt, this.ctx.keys.bindingMember(aor, b.key)]);
    const latest = Math.max(0, ...bindings.map((b) => b.expiresAt));
    const value = bindings.length === 0 ? "" : encodeBindings(bindings);
    const casKeys = [key, this.ctx.keys.bindingIndex, this.ctx.keys.aorIndex];
    const casArgs = [
      raw === null ? "0" : "1",
      raw ?? "",
      value,
      bindings.length === 0 ? 0 : latest - now + this.ctx.graceMs,
      latest,
      aor,
      now - this.ctx.graceMs,
      removed.length,
      ...removed,
      ...added,
    ];
    let written: unknown;
    if (credentials === undefined) {
      written = await this.ctx.command("update the bindings of " + aor, () => scripts.casBindings.run(this.ctx.redis, casKeys, casArgs));
    } else {
      const check = this.auth.credentialsCommand(credentials.blockKeys, credentials.nonceCount, now);
      const [outcome, ...checked] = (await this.ctx.command("check credentials and update the bindings of " + aor, () =>
        scripts.casBindingsIfCredentials.run(this.ctx.redis, [...casKeys, ...check.keys], [...check.args, ...casArgs]),
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
    this.ctx.assertOpen();
    const now = this.ctx.clock();
    const aors = await this.ctx.command("list the registered AORs", () => this.ctx.redis.zrangebyscore(this.ctx.keys.aorIndex, `(${now}`, "+inf"));
    let visited = 0;
    for (let i = 0; i < aors.length; i += VISIT_PAGE) {
      const page = aors.slice(i, i + VISIT_PAGE);
      const keys = page.map((aor) => this.ctx.keys.aor(aor));
      const values = await this.ctx.command("read the bindings of registered AORs", () => this.ctx.redis.mget(keys));
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
    this.ctx.assertOpen();
    const live = `(${this.ctx.clock()}`; // scores above now: expiresAt > now
    const [aors, bindings] = await this.ctx.command("count the bindings", () =>
      Promise.all([this.ctx.redis.zcount(this.ctx.keys.aorIndex, live, "+inf"), this.ctx.redis.zcount(this.ctx.keys.bindingIndex, live, "+inf")]),
    );
    return { aors, bindings };
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

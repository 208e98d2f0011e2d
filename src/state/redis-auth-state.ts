/**
 * Digest authentication's shared state on Redis (blocks, nonce counts, the cluster
 * secret, failure counters), kept apart from the location service of RedisStateStore,
 * which delegates to it as it does to RedisCallState. The key layout is in README.md.
 */
import { randomBytes } from "node:crypto";
import { checkInstant, checkNonceCount, checkPositiveInteger } from "./check-argument.js";
import type { RedisContext } from "./redis-call-state.js";
import * as scripts from "./redis-scripts.js";
import { StateError } from "./state-error.js";
import type { CredentialsCheck, NonceCountUse } from "./state-store.js";

export class RedisAuthState {
  constructor(private readonly ctx: RedisContext) {}

  // ---- Digest credentials: blocks and nonce counts ------------------------------

  async checkCredentials(blockKeys: readonly string[], nonceCount?: NonceCountUse): Promise<CredentialsCheck> {
    this.ctx.assertOpen();
    const now = this.ctx.clock();
    const { keys, args } = this.credentialsCommand(blockKeys, nonceCount, now);
    const reply = await this.ctx.command("check credentials", () => scripts.checkCredentials.run(this.ctx.redis, keys, args));
    return readCredentialsCheck(blockKeys, reply as CredentialsReply, now);
  }

  /** The keys and arguments of the credentials check (redis-scripts.ts), alone or ahead of a binding update. */
  credentialsCommand(blockKeys: readonly string[], nonceCount: NonceCountUse | undefined, now: number): { keys: string[]; args: (string | number)[] } {
    if (nonceCount !== undefined) checkNonceCount(nonceCount);
    const keys = blockKeys.map((key) => this.ctx.keys.block(key));
    if (nonceCount === undefined) return { keys, args: [now, "", "", ""] };
    keys.push(this.ctx.keys.nonce(nonceCount.nonce));
    return { keys, args: [now, nonceCount.nc, now + nonceCount.ttlMs, nonceCount.ttlMs + this.ctx.graceMs] };
  }

  async sharedSecret(name: string): Promise<Buffer> {
    this.ctx.assertOpen();
    const key = this.ctx.keys.secret(name);
    const candidate = randomBytes(32).toString("base64");
    // SET NX: the first node to ask makes the secret; every later one reads it.
    await this.ctx.command("make the shared secret", () => this.ctx.redis.set(key, candidate, "NX"));
    const stored = await this.ctx.command("read the shared secret", () => this.ctx.redis.get(key));
    if (stored === null) throw new StateError("STATE_BAD_VALUE", `The shared secret ${key} vanished: is another application deleting keys under this prefix?`);
    return Buffer.from(stored, "base64");
  }

  // ---- Failed authentication -----------------------------------------------------

  async recordFailure(key: string, windowMs: number): Promise<number> {
    checkPositiveInteger("windowMs", windowMs);
    this.ctx.assertOpen();
    const now = this.ctx.clock();
    const count = await this.ctx.command("count a failed authentication", () =>
      scripts.recordFailure.run(this.ctx.redis, [this.ctx.keys.failures(key)], [now, now + windowMs, windowMs + this.ctx.graceMs]),
    );
    return Number(count);
  }

  async clearFailures(key: string): Promise<void> {
    this.ctx.assertOpen();
    await this.ctx.command("clear failed authentications", () => this.ctx.redis.del(this.ctx.keys.failures(key)));
  }

  async block(key: string, untilMs: number): Promise<void> {
    checkInstant("untilMs", untilMs);
    this.ctx.assertOpen();
    const now = this.ctx.clock();
    if (untilMs <= now) return; // already over
    await this.ctx.command("block " + key, () => scripts.extendBlock.run(this.ctx.redis, [this.ctx.keys.block(key)], [untilMs, untilMs - now + this.ctx.graceMs]));
  }

  async unblock(key: string): Promise<void> {
    this.ctx.assertOpen();
    await this.ctx.command("unblock " + key, () => this.ctx.redis.del(this.ctx.keys.block(key)));
  }

  async blockedUntil(key: string): Promise<number | undefined> {
    this.ctx.assertOpen();
    const raw = await this.ctx.command("read a block", () => this.ctx.redis.get(this.ctx.keys.block(key)));
    return blockEnd(raw, this.ctx.clock());
  }
}

/** The credentials check's reply: fresh (1, 0, or -1 when none was asked), then each block key's value. */
export type CredentialsReply = [number, ...(string | null)[]];

export function readCredentialsCheck(blockKeys: readonly string[], [fresh, ...blocks]: CredentialsReply, now: number): CredentialsCheck {
  return { blockedUntil: blockKeys.map((_key, i) => blockEnd(blocks[i] ?? null, now)), fresh: fresh === -1 ? undefined : fresh === 1 };
}

/** The end of a block read from Redis if it is still on at `now` (a block ending at T is over at T). */
function blockEnd(raw: string | null, now: number): number | undefined {
  const until = raw === null ? NaN : Number(raw);
  return now < until ? until : undefined;
}

import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A Lua script run by EVALSHA, falling back to EVAL (which also caches it) when the
 * server does not know it yet: after a restart, a failover to a replica, or the first
 * call. A script runs atomically on the server, which is what makes the read-compare-
 * write steps below safe when both nodes race.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

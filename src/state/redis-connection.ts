import { Redis, type RedisOptions } from "ioredis";
import { StateError } from "./state-error.js";

/** Where the Redis store connects: a URL, Sentinel, or both (the URL then gives only credentials and db). */
export interface RedisConnectionSettings {
  /** `redis://[user:password@]host:port/db`, or `rediss://` for TLS. */
  readonly url?: string;
  readonly sentinel?: RedisSentinelSettings;
  /** How long a command may take before it fails with STATE_UNAVAILABLE (default 2000 ms). */
  readonly commandTimeoutMs?: number;
}

/** Redis Sentinel: ioredis asks the sentinels for the current master of `name`, and follows failovers. */
export interface RedisSentinelSettings {
  readonly sentinels: readonly { readonly host: string; readonly port: number }[];
  /** The master group name the sentinels monitor (`sentinel monitor <name> ...`). */
  readonly name: string;
  readonly sentinelPassword?: string;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/** Opens an ioredis client for the settings, and names what it connects to without credentials. */
export function connectRedis(settings: RedisConnectionSettings): { client: Redis; target: string } {
  const fromUrl = settings.url === undefined ? undefined : parseRedisUrl(settings.url);
  const sentinel = settings.sentinel;
  if (fromUrl === undefined && sentinel === undefined) {
    throw new StateError("STATE_BAD_CONFIG", "Redis needs a URL or Sentinel settings: set redis.url (redis://host:port/db) or redis.sentinel");
  }
  if (sentinel !== undefined && (sentinel.sentinels.length === 0 || sentinel.name === "")) {
    throw new StateError("STATE_BAD_CONFIG", "Redis Sentinel needs at least one sentinel {host, port} and the master group name");
  }

  const options: RedisOptions = {
    ...fromUrl?.options,
    ...(sentinel !== undefined && {
      sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
      name: sentinel.name,
      ...(sentinel.sentinelPassword !== undefined && { sentinelPassword: sentinel.sentinelPassword }),
    }),
    // Fail fast while Redis is away, so the PBX answers (and says why) instead of
    // holding requests: a command waits through one reconnection at most, and no longer
    // than the command timeout.
    commandTimeout: settings.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    // Never re-send a command whose reply was lost with the connection: a
    // compare-and-set or a nonce count may have been applied, and running it twice
    // would refuse the phone's own request. The caller gets STATE_UNAVAILABLE instead.
    autoResendUnfulfilledCommands: false,
    // Commands issued in the same turn still go out in one write, by BatchedWrites,
    // which costs far less than ioredis's auto-pipelining (see batched-writes.ts).
    enableAutoPipelining: false,
    // Keep trying, but come back within a second of Redis returning.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  };

  const target =
    sentinel !== undefined
      ? `sentinel ${sentinel.name} via ${sentinel.sentinels.map((s) => `${s.host}:${s.port}`).join(",")} db ${options.db ?? 0}`
      : fromUrl!.target;
  return { client: new Redis(options), target };
}

function parseRedisUrl(url: string): { options: RedisOptions; target: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new StateError("STATE_BAD_CONFIG", `redis.url ${JSON.stringify(url)} is not a URL: write redis://host:port/db`, { cause: err });
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new StateError("STATE_BAD_CONFIG", `redis.url must start with redis:// or rediss://, not ${parsed.protocol}//`);
  }
  const dbText = parsed.pathname.replace(/^\//, "") || "0";
  const db = Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw new StateError("STATE_BAD_CONFIG", `redis.url ${JSON.stringify(redactUrl(parsed))}: the database "${dbText}" is not a number (redis://host:port/0)`);
  }
  // WHATWG URL keeps IPv6 hosts bracketed; the socket wants them bare.
  const host = (parsed.hostname || "127.0.0.1").replace(/^\[(.*)\]$/, "$1");
  const port = parsed.port === "" ? 6379 : Number(parsed.port);
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(parsed.username !== "" && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password !== "" && { password: decodeURIComponent(parsed.password) }),
    // tls.connect checks the certificate against `host` (and sends it as SNI unless an IP).
    ...(parsed.protocol === "rediss:" && { tls: {} }),
  };
  return { options, target: `${parsed.protocol}//${parsed.hostname || "127.0.0.1"}:${port}/${db}` };
}

function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

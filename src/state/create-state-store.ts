import type { CallRecordRetention } from "./call-record.js";
import type { LastKnownEvent } from "./last-known-events.js";
import { LastKnownStateStore } from "./last-known-state-store.js";
import { MemoryStateStore } from "./memory-state-store.js";
import type { RedisSentinelSettings } from "./redis-connection.js";
import { RedisStateStore } from "./redis-state-store.js";
import type { StateStore } from "./state-store.js";

export interface StateStoreSettings {
  /** `redis://host:port/db`: the pair's shared Redis. */
  readonly redisUrl?: string;
  /** Redis through Sentinel; with `redisUrl` too, the URL gives only credentials and db. */
  readonly sentinel?: RedisSentinelSettings;
  /** Prefix of every Redis key (default `strowger:`). */
  readonly keyPrefix?: string;
  readonly commandTimeoutMs?: number;
  /** Epoch ms; tests pass a fake. */
  readonly clock?: () => number;
  /**
   * The embedded store's call records file (JSON lines), so that a one-node install
   * keeps its records across restarts. Not used with Redis, which holds the records
   * itself.
   */
  readonly cdrFile?: string;
  /** How many call records the store keeps (default all). */
  readonly callRecordRetention?: CallRecordRetention;
  /** Hears when a node on Redis answers from its own memory, and when it gives back what it kept. */
  readonly onFallback?: (event: LastKnownEvent) => void;
  /** How often a node on Redis reads every AOR's bindings for its last known state (default 30 s). */
  readonly lastKnownRefreshMs?: number;
}

/**
 * The store a node runs on: Redis when the settings name one (a URL or Sentinel), with
 * the node's memory of it behind it for when Redis is unreachable; else the embedded
 * memory store, so a node with no settings works alone.
 */
export function createStateStore(settings: StateStoreSettings = {}): StateStore {
  const { redisUrl, sentinel, keyPrefix, commandTimeoutMs, clock, cdrFile, callRecordRetention, onFallback, lastKnownRefreshMs } = settings;
  if (redisUrl === undefined && sentinel === undefined) {
    return new MemoryStateStore({
      ...(clock !== undefined && { clock }),
      ...(cdrFile !== undefined && { cdrFile }),
      ...(callRecordRetention !== undefined && { callRecordRetention }),
    });
  }
  const redis = new RedisStateStore({
    ...(redisUrl !== undefined && { url: redisUrl }),
    ...(sentinel !== undefined && { sentinel }),
    ...(keyPrefix !== undefined && { keyPrefix }),
    ...(commandTimeoutMs !== undefined && { commandTimeoutMs }),
    ...(clock !== undefined && { clock }),
    ...(callRecordRetention !== undefined && { callRecordRetention }),
  });
  return new LastKnownStateStore(redis, {
    ...(clock !== undefined && { clock }),
    ...(onFallback !== undefined && { onEvent: onFallback }),
    ...(lastKnownRefreshMs !== undefined && { refreshEveryMs: lastKnownRefreshMs }),
  });
}

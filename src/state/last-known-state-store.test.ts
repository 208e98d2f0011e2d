/**
 * The node's memory behind Redis: transparent while Redis answers (the whole store
 * contract), and what it answers and keeps while a real redis-server is stopped, then
 * gives back when it is started again (empty: nothing was persisted).
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startRedisServer, type RedisServer } from "../../test/support/redis-server.js";
import type { LastKnownEvent } from "./last-known-events.js";
import { LastKnownStateStore } from "./last-known-state-store.js";
import { RedisStateStore } from "./redis-state-store.js";
import { defineStateStoreContract } from "./state-store.contract.js";
import { AOR, T0, binding, dialog, errorOf, record, untilHealth, upsert } from "./state-store.contract-support.js";

const OTHER_AOR = "sip:2005@pbx.example.org";
/** The issue time of a nonce issued during the outage. */
const DURING = T0;
let redis: RedisServer;
let suite = 0;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

describe("LastKnownStateStore while Redis answers", () => {
  defineStateStoreContract("redis", async (clock, options) => {
    const keyPrefix = `last-known-${++suite}:`;
    const node = () => new LastKnownStateStore(new RedisStateStore({ url: redis.url, keyPrefix, clock, ...options }), { clock });
    return { a: node(), b: node() };
  });
});

describe("LastKnownStateStore while Redis is unreachable", () => {
  const events: LastKnownEvent[] = [];
  let store: LastKnownStateStore;
  /** What the other node, or an admin, sees in Redis. */
  let other: RedisStateStore;

  const fallbacks = () => events.filter((e) => e.kind === "fallback");
  /** A nonce count of a nonce issued at `issuedAt`. The clock stands at T0, when Redis went. */
  const use = (nonce: string, nc: number, issuedAt?: number) => ({ nonce, nc, ttlMs: 60_000, ...(issuedAt !== undefined && { issuedAt }) });

  beforeAll(async () => {
    const keyPrefix = `outage-${++suite}:`;
    store = new LastKnownStateStore(new RedisStateStore({ url: redis.url, keyPrefix, clock: () => T0 }), {
      clock: () => T0,
      onEvent: (e) => events.push(e),
      refreshEveryMs: 50,
    });
    other = new RedisStateStore({ url: redis.url, keyPrefix, clock: () => T0 });
    // A phone registered through the other node, which this node learns by its refresh.
    await other.updateBindings(OTHER_AOR, upsert(binding(5, { aor: OTHER_AOR })));
    await vi.waitFor(() => expect(events).toContainEqual({ kind: "refreshed", aors: 1 }), { timeout: 5_000 });
    expect(store.knownAorCount).toBe(1);

    // Before the outage: a phone registered, a nonce count used, a source blocked by
    // the other node (and reported to this one), a call answered.
    await store.updateBindings(AOR, upsert(binding(1)));
    expect(await store.checkCredentials([], use("n1", 1, T0 - 1_000))).toMatchObject({ fresh: true });
    await other.block("source:198.51.100.7", T0 + 60_000);
    expect(await store.checkCredentials(["source:198.51.100.7"])).toEqual({ blockedUntil: [T0 + 60_000], fresh: undefined });
    await store.putDialog(dialog(1));
    await redis.pause();
    await untilHealth(store, "unreachable");
  });
  afterAll(async () => {
    await store?.close();
    await other?.close();
  });
  beforeEach(() => {
    events.length = 0;
  });

  it("answers the location service from the bindings it last saw, and says so once per outage", async () => {
    const started = Date.now();
    expect(await store.getBindings(AOR)).toEqual([binding(1)]);
    expect(await store.getBindings(OTHER_AOR)).toEqual([binding(5, { aor: OTHER_AOR })]); // learnt by the refresh
    expect(await store.getBindings("sip:2999@pbx.example.org")).toEqual([]); // never seen here: no bindings
    expect(await store.getBindings(AOR, binding(1).expiresAt)).toEqual([]); // expired by then
    expect(Date.now() - started).toBeLessThan(500); // no command timeout waited out
    expect(fallbacks()).toEqual([
      { kind: "fallback", operation: "bindings", first: true, reason: expect.any(String) },
      ...Array.from({ length: 3 }, () => ({ kind: "fallback", operation: "bindings", first: false, reason: expect.any(String) })),
    ]);
  });

  it("refuses what only Redis can answer at once with STATE_UNAVAILABLE, naming what to do", async () => {
    const started = Date.now();
    const err = await errorOf(store.updateBindings(AOR, upsert(binding(2))));
    expect(err.code).toBe("STATE_UNAVAILABLE");
    expect(err.message).toMatch(/unreachable.*check that Redis is running/);
    expect((await errorOf(store.listDialogs())).code).toBe("STATE_UNAVAILABLE");
    // The call answered before the outage: only Redis knows it.
    expect((await errorOf(store.findDialog(dialog(1).callId, dialog(1).fromTag, dialog(1).toTag))).code).toBe("STATE_UNAVAILABLE");
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("refuses a nonce issued before the outage as a replay (RFC 7616 §3.4), and counts the outage's own nonces on this node", async () => {
    expect(await store.checkCredentials(["user:2001"], use("n1", 2, T0 - 1_000))).toEqual({ blockedUntil: [undefined], fresh: false });
    expect(await store.checkCredentials([], use("n0", 1))).toMatchObject({ fresh: false }); // issue time unknown: as old
    expect(await store.checkCredentials(["user:2001"], use("n2", 1, DURING))).toEqual({ blockedUntil: [undefined], fresh: true });
    expect(await store.checkCredentials([], use("n2", 2, DURING))).toMatchObject({ fresh: true });
    expect(await store.checkCredentials([], use("n2", 2, DURING))).toMatchObject({ fresh: false });
  });

  it("checks a REGISTER's credentials from memory before refusing it: a blocked source hears of its block, not of the outage", async () => {
    const credentials = (blockKeys: string[], nc: number) => ({ blockKeys, nonceCount: use("n3", nc, DURING) });
    expect(await store.updateBindings(AOR, upsert(binding(2)), credentials(["source:198.51.100.7"], 1))).toEqual({
      kind: "credentials refused",
      check: { blockedUntil: [T0 + 60_000], fresh: true },
    });
    expect((await errorOf(store.updateBindings(AOR, upsert(binding(2)), credentials(["source:192.0.2.1"], 2)))).code).toBe("STATE_UNAVAILABLE");
    // Counted here: the same count again is a replay.
    expect((await store.updateBindings(AOR, upsert(binding(2)), credentials(["source:192.0.2.1"], 2))).kind).toBe("credentials refused");
  });

  it("keeps blocks Redis reported, and throttles brute force on its own", async () => {
    expect(await store.checkCredentials(["source:198.51.100.7"])).toEqual({ blockedUntil: [T0 + 60_000], fresh: undefined });
    expect(await store.recordFailure("source:192.0.2.9", 60_000)).toBe(1);
    expect(await store.recordFailure("source:192.0.2.9", 60_000)).toBe(2);
    await store.block("source:192.0.2.9", T0 + 90_000);
    expect(await store.checkCredentials(["source:192.0.2.9"])).toEqual({ blockedUntil: [T0 + 90_000], fresh: undefined });
  });

  it("keeps the calls answered and the records written meanwhile, and gives them, the nonce counts and the blocks to Redis when it is back", async () => {
    // A call answered during the outage, and hung up: its dialog is found here, ended here.
    await store.putDialog(dialog(2));
    expect(await store.findDialog(dialog(2).callId, dialog(2).toTag, dialog(2).fromTag)).toEqual(dialog(2)); // a BYE from the callee
    expect(await store.endDialog(dialog(2).id)).toEqual(dialog(2));
    // A call answered during the outage and still up when Redis returns.
    await store.putDialog(dialog(3));
    await store.appendCallRecord(record(1, 10));
    await store.appendCallRecord(record(2, 20));
    expect(store.queuedRecordCount).toBe(2);

    await redis.resume();
    await vi.waitFor(() => expect(events).toContainEqual({ kind: "reconciled", dialogs: 1, records: 2 }), { timeout: 10_000 });
    expect(store.queuedRecordCount).toBe(0);
    expect(await other.callRecords()).toEqual([record(1, 10), record(2, 20)]);
    expect(await other.listDialogs()).toEqual([dialog(3)]);
    // The outage's nonce count is Redis's now: its replay is refused by either node.
    expect(await other.checkCredentials([], use("n2", 2, DURING))).toMatchObject({ fresh: false });
    expect(await other.blockedUntil("source:192.0.2.9")).toBe(T0 + 90_000);
    // Written back once: Redis answers for that call from now on, and its BYE ends it there.
    expect(await store.endDialog(dialog(3).id)).toEqual(dialog(3));
    expect(await other.listDialogs()).toEqual([]);
    // Redis came back empty here (this one persists nothing): Redis is what counts again.
    await store.updateBindings(AOR, upsert(binding(2)));
    expect(await other.getBindings(AOR)).toEqual([binding(2)]);
  });
});

describe("LastKnownStateStore across two outages", () => {
  it("refuses, in the second outage, a nonce issued and counted in Redis between the two (RFC 7616 §3.4), however the first one's write-back ended", async () => {
    const time = { now: T0 };
    const clock = () => time.now;
    const keyPrefix = `outages-${++suite}:`;
    const events: LastKnownEvent[] = [];
    const store = new LastKnownStateStore(new RedisStateStore({ url: redis.url, keyPrefix, clock }), { clock, onEvent: (e) => events.push(e) });
    try {
      await store.getBindings(AOR);
      await redis.pause();
      await untilHealth(store, "unreachable");
      time.now = T0 + 60_000;
      // Issued during the first outage: counted here.
      expect(await store.checkCredentials([], { nonce: "during-1", nc: 1, ttlMs: 60_000, issuedAt: T0 + 60_000 })).toMatchObject({ fresh: true });
      await redis.resume();
      await untilHealth(store, "ready");
      await vi.waitFor(() => expect(events).toContainEqual(expect.objectContaining({ kind: "reconciled" })), { timeout: 10_000 });

      // Between the outages: a nonce issued and used through Redis.
      time.now = T0 + 120_000;
      expect(await store.checkCredentials([], { nonce: "between", nc: 1, ttlMs: 60_000, issuedAt: T0 + 120_000 })).toMatchObject({ fresh: true });
      time.now = T0 + 180_000;
      await redis.pause();
      await untilHealth(store, "unreachable");
      // Its replay in the second outage: Redis holds its count, this node does not.
      expect(await store.checkCredentials([], { nonce: "between", nc: 1, ttlMs: 60_000, issuedAt: T0 + 120_000 })).toMatchObject({ fresh: false });
      // A nonce issued in this outage is counted here.
      expect(await store.checkCredentials([], { nonce: "during-2", nc: 1, ttlMs: 60_000, issuedAt: T0 + 180_000 })).toMatchObject({ fresh: true });
    } finally {
      await redis.resume();
      await store.close();
    }
  });
});

describe("LastKnownStateStore when Redis stops answering on an open connection", () => {
  it("answers from memory once a command times out, though Redis's health still says ready", async () => {
    const keyPrefix = `paused-${++suite}:`;
    const events: LastKnownEvent[] = [];
    const store = new LastKnownStateStore(new RedisStateStore({ url: redis.url, keyPrefix, clock: () => T0, commandTimeoutMs: 200 }), {
      clock: () => T0,
      onEvent: (e) => events.push(e),
    });
    const admin = new Redis(redis.url);
    try {
      await store.updateBindings(AOR, upsert(binding(1)));
      // Redis holds every client's commands, the connections stay up: a quiet partition.
      await admin.call("CLIENT", "PAUSE", "1500", "ALL");
      expect(await store.getBindings(AOR)).toEqual([binding(1)]);
      expect(store.health().state).toBe("ready");
      expect(events).toContainEqual({ kind: "fallback", operation: "bindings", first: true, reason: expect.stringContaining("timed out") });
      // No health change tells of its return: the first command Redis answers does.
      await vi.waitFor(
        async () => {
          await store.getBindings(AOR);
          expect(events).toContainEqual({ kind: "reconciled", dialogs: 0, records: 0 });
        },
        { timeout: 5_000, interval: 100 },
      );
    } finally {
      await admin.quit();
      await store.close();
    }
  });
});

/**
 * The node's memory behind Redis: transparent while Redis answers (the whole store
 * contract), and what it answers and keeps while a real redis-server is stopped, then
 * gives back when it is started again (empty: nothing was persisted).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../../test/support/redis-server.js";
import { LastKnownStateStore, type LastKnownEvent } from "./last-known-state-store.js";
import { RedisStateStore } from "./redis-state-store.js";
import { defineStateStoreContract } from "./state-store.contract.js";
import { AOR, T0, binding, dialog, errorOf, record, untilHealth, upsert } from "./state-store.contract-support.js";

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
  let events: LastKnownEvent[];
  let store: LastKnownStateStore;
  /** What the other node, or an admin, sees in Redis. */
  let other: RedisStateStore;

  const fallbacks = () => events.filter((e) => e.kind === "fallback");
  const reconciled = () =>
    new Promise<LastKnownEvent>((resolve) => {
      const seen = events.find((e) => e.kind === "reconciled");
      if (seen) resolve(seen);
      const check = setInterval(() => {
        const event = events.find((e) => e.kind === "reconciled");
        if (event) {
          clearInterval(check);
          resolve(event);
        }
      }, 10);
    });

  beforeAll(async () => {
    events = [];
    const keyPrefix = `outage-${++suite}:`;
    store = new LastKnownStateStore(new RedisStateStore({ url: redis.url, keyPrefix, clock: () => T0 }), {
      clock: () => T0,
      onEvent: (e) => events.push(e),
    });
    other = new RedisStateStore({ url: redis.url, keyPrefix, clock: () => T0 });

    // Before the outage: a phone registered, a nonce count used, a call answered.
    await store.updateBindings(AOR, upsert(binding(1)));
    expect(await store.checkCredentials([], { nonce: "n1", nc: 1, ttlMs: 60_000 })).toMatchObject({ fresh: true });
    await store.putDialog(dialog(1));
    await redis.pause();
    await untilHealth(store, "unreachable");
  });
  afterAll(async () => {
    await store?.close();
    await other?.close();
  });
  afterEach(() => {
    // Each test looks at the events of its own operations.
    events.splice(0, events.findLastIndex((e) => e.kind !== "fallback") + 1);
  });

  it("answers the location service from the bindings it last saw, and says so once per outage", async () => {
    const started = Date.now();
    expect(await store.getBindings(AOR)).toEqual([binding(1)]);
    expect(await store.getBindings("sip:2999@pbx.example.org")).toEqual([]); // never seen here: no bindings
    expect(await store.getBindings(AOR, binding(1).expiresAt)).toEqual([]); // expired by then
    expect(Date.now() - started).toBeLessThan(500); // no command timeout waited out
    expect(fallbacks().map((e) => e.kind === "fallback" && e.operation)).toEqual(["bindings", "bindings", "bindings"]);
    expect(fallbacks().filter((e) => e.kind === "fallback" && e.first)).toHaveLength(1);
  });

  it("refuses binding updates at once with STATE_UNAVAILABLE, naming what to do", async () => {
    const started = Date.now();
    const err = await errorOf(store.updateBindings(AOR, upsert(binding(2))));
    expect(err.code).toBe("STATE_UNAVAILABLE");
    expect(err.message).toMatch(/unreachable.*check that Redis is running/);
    expect(Date.now() - started).toBeLessThan(500);
    expect((await errorOf(store.listDialogs())).code).toBe("STATE_UNAVAILABLE");
  });

  it("checks nonce counts on this node: a count the shared store accepted through it is still refused as a replay (RFC 7616 §3.4)", async () => {
    expect(await store.checkCredentials(["user:2001"], { nonce: "n1", nc: 1, ttlMs: 60_000 })).toEqual({ blockedUntil: [undefined], fresh: false });
    expect(await store.checkCredentials(["user:2001"], { nonce: "n1", nc: 2, ttlMs: 60_000 })).toEqual({ blockedUntil: [undefined], fresh: true });
    expect(await store.checkCredentials([], { nonce: "n1", nc: 2, ttlMs: 60_000 })).toMatchObject({ fresh: false });
    // Failures and blocks are counted here too, so brute force is still throttled.
    expect(await store.recordFailure("source:192.0.2.9", 60_000)).toBe(1);
    expect(await store.recordFailure("source:192.0.2.9", 60_000)).toBe(2);
    await store.block("source:192.0.2.9", T0 + 60_000);
    expect(await store.checkCredentials(["source:192.0.2.9"])).toEqual({ blockedUntil: [T0 + 60_000], fresh: undefined });
  });

  it("keeps the calls answered and the records written meanwhile, and gives them to Redis when it is back", async () => {
    // A call answered during the outage, and hung up: its dialog is found here, ended here.
    await store.putDialog(dialog(2));
    expect(await store.findDialog(dialog(2).callId, dialog(2).toTag, dialog(2).fromTag)).toEqual(dialog(2)); // a BYE from the callee
    expect(await store.endDialog(dialog(2).id)).toEqual(dialog(2));
    // A call answered during the outage and still up when Redis returns.
    await store.putDialog(dialog(3));
    // The call answered before the outage is not in this node's memory.
    expect(await store.findDialog(dialog(1).callId, dialog(1).fromTag, dialog(1).toTag)).toBeUndefined();
    await store.appendCallRecord(record(1, 10));
    await store.appendCallRecord(record(2, 20));
    expect(store.queuedRecordCount).toBe(2);

    await redis.resume();
    expect(await reconciled()).toEqual({ kind: "reconciled", dialogs: 1, records: 2 });
    expect(store.queuedRecordCount).toBe(0);
    expect(await other.callRecords()).toEqual([record(1, 10), record(2, 20)]);
    expect(await other.listDialogs()).toEqual([dialog(3)]);
    // Written back once: Redis answers for that call from now on, and its BYE ends it there.
    expect(await store.endDialog(dialog(3).id)).toEqual(dialog(3));
    expect(await other.listDialogs()).toEqual([]);
    // And Redis is asked again for everything, bindings learnt anew.
    await store.updateBindings(AOR, upsert(binding(2)));
    expect(await other.getBindings(AOR)).toEqual([binding(2)]);
  });
});

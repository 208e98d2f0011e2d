import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startRedisSentinel, startRedisServer, type RedisServer } from "../../test/support/redis-server.js";
import type { Binding } from "./binding.js";
import { RedisStateStore } from "./redis-state-store.js";
import { StateError } from "./state-error.js";
import { defineStateStoreContract } from "./state-store.contract.js";
import { untilHealth } from "./state-store.contract-support.js";
import type { StateHealthState, StateStore } from "./state-store.js";

const T0 = Date.UTC(2025, 0, 6, 9);
const AOR = "sip:2001@pbx.example.org";

function binding(n: number, overrides: Partial<Binding> = {}): Binding {
  return {
    key: `uri sip:2001@10.0.0.${n}:5060`,
    aor: AOR,
    contact: `<sip:2001@10.0.0.${n}:5060>`,
    expiresAt: T0 + 3_600_000,
    callId: `call-${n}`,
    cseq: 1,
    path: [],
    source: { transport: "udp", address: `10.0.0.${n}`, port: 5060 },
    node: "node-a",
    registeredAt: T0,
    ...overrides,
  };
}

async function errorOf(promise: Promise<unknown>): Promise<StateError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateError);
  return err as StateError;
}

let redis: RedisServer;
let suite = 0;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

// Two stores with their own connections are two nodes; each test gets its own key
// prefix, so tests share the server without seeing each other's state.
defineStateStoreContract("redis", async (clock, options) => {
  const keyPrefix = `contract-${++suite}:`;
  return {
    a: new RedisStateStore({ url: redis.url, keyPrefix, clock, ...options }),
    b: new RedisStateStore({ url: redis.url, keyPrefix, clock, ...options }),
  };
});

describe("RedisStateStore", () => {
  let admin: Redis;
  const stores: StateStore[] = [];
  const open = (options: Partial<ConstructorParameters<typeof RedisStateStore>[0]> = {}): RedisStateStore => {
    const store = new RedisStateStore({ url: redis.url, keyPrefix: `layout-${++suite}:`, clock: () => T0, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(() => {
    admin = new Redis(redis.url);
  });
  afterAll(() => admin.quit());
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it("sends the commands of one turn of the event loop in one write", async () => {
    const store = open();
    await store.getBindings(AOR); // connected and ready
    const socket = (store as unknown as { redis: Redis }).redis.stream;
    const writev = vi.spyOn(socket as unknown as { _writev: () => void }, "_writev");
    const write = vi.spyOn(socket as unknown as { _write: () => void }, "_write");
    const reads = Promise.all([store.getBindings(AOR), store.getBindings("sip:2002@pbx.example.org"), store.blockedUntil("source:192.0.2.1")]);
    expect(socket.writableCorked).toBe(1);
    expect(await reads).toEqual([[], [], undefined]);
    expect(writev).toHaveBeenCalledOnce();
    expect(write).not.toHaveBeenCalled();
    expect(socket.writableCorked).toBe(0);
  });

  it("keeps one AOR in one JSON string, indexed by expiry, with a TTL a grace period past its last binding", async () => {
    const store = open({ keyPrefix: "layout:" });
    await store.updateBindings(AOR, () => [binding(1, { expiresAt: T0 + 60_000 }), binding(2, { expiresAt: T0 + 120_000 })]);

    const key = `layout:aor:${AOR}`;
    expect(await admin.type(key)).toBe("string");
    expect(JSON.parse((await admin.get(key))!)).toEqual({ v: 1, bindings: [binding(1, { expiresAt: T0 + 60_000 }), binding(2, { expiresAt: T0 + 120_000 })] });
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(120_000 + 10_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(120_000 + 10_000);
    expect(await admin.zrange("layout:index:bindings", 0, -1, "WITHSCORES")).toEqual([
      `${AOR} ${binding(1).key}`,
      String(T0 + 60_000),
      `${AOR} ${binding(2).key}`,
      String(T0 + 120_000),
    ]);
    expect(await admin.zrange("layout:index:aors", 0, -1, "WITHSCORES")).toEqual([AOR, String(T0 + 120_000)]);

    await store.updateBindings(AOR, () => []);
    expect(await admin.exists(key)).toBe(0);
    expect(await admin.zcard("layout:index:bindings")).toBe(0);
    expect(await admin.zcard("layout:index:aors")).toBe(0);
  });

  it("writes nonce, failure and block state under the prefix, each with a TTL", async () => {
    const store = open({ keyPrefix: "auth:" });
    await store.checkCredentials([], { nonce: "abc", nc: 1, ttlMs: 300_000 });
    await store.recordFailure("user:2001", 60_000);
    await store.block("user:2001", T0 + 900_000);
    expect(await admin.hgetall("auth:nonce:abc")).toEqual({ nc: "1", expiresAt: String(T0 + 300_000) });
    expect(await admin.hgetall("auth:failures:user:2001")).toEqual({ count: "1", windowEndsAt: String(T0 + 60_000) });
    expect(await admin.get("auth:block:user:2001")).toBe(String(T0 + 900_000));
    for (const key of ["auth:nonce:abc", "auth:failures:user:2001", "auth:block:user:2001"]) expect(await admin.pttl(key)).toBeGreaterThan(0);
  });

  it("checks a request's credentials (two blocks and a nonce count) with one command", async () => {
    const client = new Redis(redis.url);
    try {
      const store = open({ client, keyPrefix: "check:" });
      await store.block("user:2001", T0 + 60_000);
      await store.checkCredentials([]); // loads the script (EVALSHA, then EVAL on NOSCRIPT)
      const sent = vi.spyOn(client, "sendCommand");
      const check = await store.checkCredentials(["source:192.0.2.7", "user:2001"], { nonce: "abc", nc: 1, ttlMs: 300_000 });
      expect(check).toEqual({ blockedUntil: [undefined, T0 + 60_000], fresh: true });
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual(["evalsha"]);
    } finally {
      await client.quit();
    }
  });

  it("keeps a Call-ID's dialogs in one hash by caller's tag, indexed by expiry, with a TTL a grace period past it", async () => {
    const store = open({ keyPrefix: "calls:" });
    const dialog = {
      id: "abc@10.0.0.1;tag-a",
      callId: "abc@10.0.0.1",
      fromTag: "tag-a",
      toTag: "tag-b",
      caller: "2001",
      dialled: "2002",
      target: "user 2002",
      route: "internal",
      startedAt: T0 - 1000,
      answeredAt: T0,
      node: "node-a",
      expiresAt: T0 + 60_000,
    };
    await store.putDialog(dialog);
    expect(await admin.type("calls:dialog:abc@10.0.0.1")).toBe("hash");
    expect(await admin.hgetall("calls:dialog:abc@10.0.0.1")).toEqual({ "tag-a": JSON.stringify({ v: 1, ...dialog }) });
    const ttl = await admin.pttl("calls:dialog:abc@10.0.0.1");
    expect(ttl).toBeGreaterThan(60_000 + 10_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(60_000 + 10_000);
    expect(await admin.zrange("calls:index:dialogs", 0, -1, "WITHSCORES")).toEqual([dialog.id, String(T0 + 60_000)]);

    expect(await store.endDialog(dialog.id)).toEqual(dialog);
    expect(await admin.exists("calls:dialog:abc@10.0.0.1")).toBe(0);
    expect(await admin.zcard("calls:index:dialogs")).toBe(0);
  });

  it("keeps call records in one sorted set, one JSON member each, scored by endedAt", async () => {
    const store = open({ keyPrefix: "cdr:" });
    const record = { id: "r1", callId: "c1", caller: "2001", dialled: "2002", startedAt: T0, endedAt: T0 + 5000, disposition: "no-answer" as const, failureStatus: 480, node: "node-b" };
    await store.appendCallRecord(record);
    await store.appendCallRecord({ ...record }); // the same record again: one member
    expect(await admin.type("cdr:cdrs")).toBe("zset");
    expect(await admin.zrange("cdr:cdrs", 0, -1, "WITHSCORES")).toEqual([JSON.stringify({ v: 1, ...record }), String(T0 + 5000)]);
    expect(await admin.pttl("cdr:cdrs")).toBe(-1); // kept until trimmed by the retention or deleted by an admin
  });

  it("refuses a dialog or call record it cannot read", async () => {
    const store = open({ keyPrefix: "badcall:" });
    await admin.hset("badcall:dialog:abc", "t1", JSON.stringify({ v: 2 }));
    expect((await errorOf(store.findDialog("abc", "t1", "t2"))).code).toBe("STATE_BAD_VALUE");
    await admin.zadd("badcall:cdrs", T0, "not json");
    expect((await errorOf(store.callRecords())).code).toBe("STATE_BAD_VALUE");
  });

  it("keeps clusters with different prefixes apart", async () => {
    const one = open({ keyPrefix: "one:" });
    const two = open({ keyPrefix: "two:" });
    await one.updateBindings(AOR, () => [binding(1)]);
    expect(await two.getBindings(AOR)).toEqual([]);
  });

  it("refuses to act on a value it cannot read", async () => {
    const store = open({ keyPrefix: "bad:" });
    await admin.set(`bad:aor:${AOR}`, "not json");
    expect((await errorOf(store.getBindings(AOR))).code).toBe("STATE_BAD_VALUE");
    await admin.set(`bad:aor:${AOR}`, JSON.stringify({ v: 2, bindings: [] }));
    expect((await errorOf(store.updateBindings(AOR, () => []))).code).toBe("STATE_BAD_VALUE");
    await admin.del(`bad:aor:${AOR}`);
    await admin.lpush(`bad:aor:${AOR}`, "x");
    expect((await errorOf(store.getBindings(AOR))).code).toBe("STATE_BAD_VALUE");
  });

  it("gives up with STATE_CONFLICT when the AOR changes under every attempt", async () => {
    const client = new Redis(redis.url);
    try {
      const store = open({ client, keyPrefix: "race:", maxUpdateAttempts: 3 });
      let calls = 0;
      const err = await errorOf(
        store.updateBindings(AOR, (current) => {
          calls++;
          // Another writer gets in between this read and the compare-and-set: on the
          // same connection, so it is certain to reach Redis first.
          void client.set(`race:aor:${AOR}`, JSON.stringify({ v: 1, bindings: [binding(calls + 10)] }));
          return [...current, binding(1)];
        }),
      );
      expect(err.code).toBe("STATE_CONFLICT");
      expect(calls).toBe(3);
    } finally {
      await client.quit();
    }
  });
});

describe("RedisStateStore when Redis goes away", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());

  it("fails calls with STATE_UNAVAILABLE, reports unreachable, and recovers when Redis returns", async () => {
    const store = new RedisStateStore({ url: server.url, clock: () => T0, commandTimeoutMs: 500 });
    try {
      const changes: StateHealthState[] = [];
      store.onHealthChange((h) => changes.push(h.state));
      await store.updateBindings(AOR, () => [binding(1)]);
      expect(store.health()).toMatchObject({ backend: "redis", state: "ready", target: server.url });

      await server.pause();
      await untilHealth(store, "unreachable");
      const started = Date.now();
      const err = await errorOf(store.getBindings(AOR));
      expect(err.code).toBe("STATE_UNAVAILABLE");
      expect(err.message).toContain(server.url);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(store.health().lastError).toBeDefined();

      await server.resume(); // an empty Redis: nothing was persisted
      await untilHealth(store, "ready");
      expect(changes).toEqual(["ready", "unreachable", "ready"]); // from "connecting" at construction
      await store.updateBindings(AOR, () => [binding(2)]);
      expect(await store.getBindings(AOR)).toEqual([binding(2)]);
    } finally {
      await store.close();
    }
  });
});

describe("RedisStateStore through Sentinel", () => {
  let master: RedisServer;
  let sentinel: RedisServer;
  beforeAll(async () => {
    master = await startRedisServer();
    sentinel = await startRedisSentinel("strowger", master.port);
  });
  afterAll(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  it("finds the master through the sentinels and shares state with a direct client", async () => {
    const viaSentinel = new RedisStateStore({ sentinel: { sentinels: [{ host: sentinel.host, port: sentinel.port }], name: "strowger" }, clock: () => T0 });
    const direct = new RedisStateStore({ url: master.url, clock: () => T0 });
    try {
      await viaSentinel.updateBindings(AOR, () => [binding(1)]);
      expect(await direct.getBindings(AOR)).toEqual([binding(1)]);
      expect(viaSentinel.health()).toMatchObject({ state: "ready", target: `sentinel strowger via ${sentinel.host}:${sentinel.port} db 0` });
    } finally {
      await viaSentinel.close();
      await direct.close();
    }
  });
});

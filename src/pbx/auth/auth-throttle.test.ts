/** The throttle's node-local memory of blocks, on a memory store and a clock the tests move. */
import { describe, expect, it } from "vitest";
import { MemoryStateStore } from "../../state/index.js";
import { AuthThrottle, sourceKey, userKey } from "./auth-throttle.js";

const T0 = Date.UTC(2025, 0, 6, 9);
const policy = { windowSeconds: 60, perUser: 3, perSource: 1, blockSeconds: 60 };

function setup(knownLimit?: number) {
  const time = { now: T0 };
  const clock = (): number => time.now;
  const store = new MemoryStateStore({ clock });
  return { time, store, throttle: new AuthThrottle(store, policy, clock, knownLimit) };
}

describe("AuthThrottle", () => {
  it("knows the blocks it made until their end, and not at it", async () => {
    const { time, throttle } = setup();
    const source = sourceKey("192.0.2.7");
    expect(throttle.knownBlocked([source])).toBeUndefined();
    expect(await throttle.failed([source, userKey("2001")])).toEqual([source]);
    time.now = T0 + 59_999;
    expect(throttle.knownBlocked([userKey("2001"), source])).toBe(source);
    time.now = T0 + 60_000;
    expect(throttle.knownBlocked([source])).toBeUndefined();
  });

  it("learns a block the store reports to a credentials check, and forgets one the store has lifted", async () => {
    const { store, throttle } = setup();
    const source = sourceKey("192.0.2.7");
    await store.block(source, T0 + 600_000); // made by the other node
    expect(throttle.knownBlocked([source])).toBeUndefined();
    expect(await throttle.checkCredentials([source, userKey("2001")])).toEqual({ blocked: source, fresh: undefined });
    expect(throttle.knownBlocked([source])).toBe(source);
    await store.unblock(source); // an admin's action
    expect(await throttle.checkCredentials([source])).toEqual({ blocked: undefined, fresh: undefined });
    expect(throttle.knownBlocked([source])).toBeUndefined();
  });

  it("passes the nonce count to the store in the same check", async () => {
    const { throttle } = setup();
    const use = { nonce: "n1", nc: 1, ttlMs: 60_000 };
    expect((await throttle.checkCredentials([userKey("2001")], use)).fresh).toBe(true);
    expect((await throttle.checkCredentials([userKey("2001")], use)).fresh).toBe(false);
  });

  it("remembers at most its limit of blocks, forgetting the oldest learnt first", async () => {
    const { throttle } = setup(2);
    const first = sourceKey("192.0.2.1");
    const second = sourceKey("192.0.2.2");
    const third = sourceKey("192.0.2.3");
    for (const key of [first, second, third]) await throttle.failed([key]);
    expect(throttle.knownBlocked([first])).toBeUndefined();
    expect(throttle.knownBlocked([second])).toBe(second);
    expect(throttle.knownBlocked([third])).toBe(third);
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createStateStore } from "./create-state-store.js";
import { StateError } from "./state-error.js";

describe("createStateStore", () => {
  it("gives the embedded memory store when no Redis is named", async () => {
    const store = createStateStore();
    expect(store.backend).toBe("memory");
    expect(store.health().state).toBe("ready");
    await store.close();
  });

  it("gives the memory store the call records file, so that records outlive it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "strowger-cdr-"));
    try {
      const cdrFile = join(dir, "cdr.jsonl");
      const record = { id: "r1", callId: "c1", caller: "2001", dialled: "2002", startedAt: 1, endedAt: 2, disposition: "cancelled" as const, node: "n" };
      const first = createStateStore({ cdrFile });
      await first.appendCallRecord(record);
      await first.close();
      const second = createStateStore({ cdrFile });
      expect(await second.callRecords()).toEqual([record]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives a Redis store for a URL, naming its target without the password", async () => {
    const store = createStateStore({ redisUrl: "redis://:s3cret@127.0.0.1:1/2" });
    try {
      expect(store.backend).toBe("redis");
      expect(store.health()).toMatchObject({ state: "connecting", target: "redis://127.0.0.1:1/2" });
      expect(JSON.stringify(store.health())).not.toContain("s3cret");
    } finally {
      await store.close();
    }
  });

  it("gives a Redis store for Sentinel settings alone", async () => {
    const store = createStateStore({ sentinel: { sentinels: [{ host: "127.0.0.1", port: 1 }], name: "strowger" } });
    try {
      expect(store.health().target).toBe("sentinel strowger via 127.0.0.1:1 db 0");
    } finally {
      await store.close();
    }
  });

  it.each([
    ["http://127.0.0.1:6379/0", "must start with redis://"],
    ["127.0.0.1:6379", "is not a URL: write redis://host:port/db"],
    ["redis://127.0.0.1:6379/zero", "is not a number"],
    ["not a url", "is not a URL"],
  ])("refuses the URL %s with STATE_BAD_CONFIG", (redisUrl, says) => {
    const make = (): unknown => createStateStore({ redisUrl });
    expect(make).toThrow(StateError);
    expect(make).toThrow(says);
  });

  it("refuses Sentinel settings with no sentinel", () => {
    expect(() => createStateStore({ sentinel: { sentinels: [], name: "strowger" } })).toThrow(/at least one sentinel/);
  });
});

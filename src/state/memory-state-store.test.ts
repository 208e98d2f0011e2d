import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Binding } from "./binding.js";
import type { CallRecord } from "./call-record.js";
import { MemoryStateStore } from "./memory-state-store.js";
import { StateError } from "./state-error.js";
import { defineStateStoreContract } from "./state-store.contract.js";

// The embedded store is one node's whole state: the contract's two "nodes" are the
// one instance, which is what sharing state means inside one process.
defineStateStoreContract("memory", async (clock, options) => {
  const store = new MemoryStateStore({ clock, ...options });
  return { a: store, b: store };
});

describe("MemoryStateStore", () => {
  const T0 = Date.UTC(2025, 0, 6, 9);
  const binding = (aor: string, expiresAt: number): Binding => ({
    key: "uri sip:a@10.0.0.1",
    aor,
    contact: "<sip:a@10.0.0.1>",
    expiresAt,
    callId: "c",
    cseq: 1,
    path: [],
    source: { transport: "udp", address: "10.0.0.1", port: 5060 },
    node: "n",
    registeredAt: T0,
  });

  it("hands out bindings nobody can change in place", async () => {
    const store = new MemoryStateStore({ clock: () => T0 });
    await store.updateBindings("sip:a@x", () => [binding("sip:a@x", T0 + 1000)]);
    const [stored] = await store.getBindings("sip:a@x");
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored!.source)).toBe(true);
    expect(Object.isFrozen(stored!.path)).toBe(true);
  });

  it("reclaims expired AORs without a timer, a bounded number per call", async () => {
    let now = T0;
    const store = new MemoryStateStore({ clock: () => now });
    for (let i = 0; i < 200; i++) await store.updateBindings(`sip:${i}@x`, () => [binding(`sip:${i}@x`, T0 + 1000)]);
    const internals = store as unknown as { aors: Map<string, unknown> };
    expect(internals.aors.size).toBe(200);
    now = T0 + 1000;
    await store.getBindings("sip:0@x"); // one call reclaims at most its budget
    expect(internals.aors.size).toBe(200 - 64);
    expect(await store.countBindings()).toEqual({ aors: 0, bindings: 0 }); // a count reclaims all that is due
    expect(internals.aors.size).toBe(0);
  });
});

describe("MemoryStateStore with a call records file", () => {
  const T0 = Date.UTC(2025, 0, 6, 9);
  const record = (n: number, overrides: Partial<CallRecord> = {}): CallRecord => ({
    id: `cdr-${n}`,
    callId: `call-${n}@10.0.0.1`,
    caller: "2001",
    dialled: "2002",
    target: "user 2002",
    route: "internal",
    startedAt: T0,
    answeredAt: T0 + 1000,
    endedAt: T0 + n * 1000,
    disposition: "answered",
    node: "node-a",
    durationMs: n * 1000 - 1000,
    ...overrides,
  });
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "strowger-cdr-"));
    file = join(dir, "var", "lib", "strowger", "cdr.jsonl"); // its folder does not exist yet
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("keeps records across a restart: a new store over the same file has them", async () => {
    const before = new MemoryStateStore({ clock: () => T0, cdrFile: file });
    await before.appendCallRecord(record(2));
    await before.appendCallRecord(record(1, { target: undefined, answeredAt: undefined, durationMs: undefined, disposition: "busy", failureStatus: 486 }));
    await before.close();

    const after = new MemoryStateStore({ clock: () => T0, cdrFile: file });
    const expected = [record(1, { target: undefined, answeredAt: undefined, durationMs: undefined, disposition: "busy", failureStatus: 486 }), record(2)].map((r) =>
      JSON.parse(JSON.stringify(r)),
    );
    expect(await after.callRecords()).toEqual(expected);
    expect(after.cdrFileProblems).toEqual([]);
    await after.appendCallRecord(record(3));
    await after.close();

    // One JSON line per record, in the order appended.
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l) as CallRecord);
    expect(lines.map((r) => r.id)).toEqual(["cdr-2", "cdr-1", "cdr-3"]);
  });

  it("loads a record appended twice (a retry) once, and keeps the retention in memory", async () => {
    await writeFile(file.replace("var/lib/strowger/", ""), [record(1), record(2), record(1), record(3)].map((r) => JSON.stringify(r) + "\n").join(""));
    const store = new MemoryStateStore({ clock: () => T0, cdrFile: file.replace("var/lib/strowger/", ""), callRecordRetention: { maxCount: 2 } });
    expect((await store.callRecords()).map((r) => r.id)).toEqual(["cdr-2", "cdr-3"]);
    await store.close();
  });

  it("skips a line cut short by a crash, says so, and starts the next record on a line of its own", async () => {
    const path = join(dir, "cdr.jsonl");
    await writeFile(path, JSON.stringify(record(1)) + "\n" + JSON.stringify({ id: "x" }) + "\n" + JSON.stringify(record(2)).slice(0, 40));
    const store = new MemoryStateStore({ clock: () => T0, cdrFile: path });
    expect(store.cdrFileProblems).toEqual([`${path} line 2: call record "x" has no callId; skipped`, `${path} line 3 is not JSON (a write cut short?); skipped`]);
    await store.appendCallRecord(record(4));
    await store.close();
    const again = new MemoryStateStore({ clock: () => T0, cdrFile: path });
    expect((await again.callRecords()).map((r) => r.id)).toEqual(["cdr-1", "cdr-4"]);
    expect(again.cdrFileProblems).toHaveLength(2);
    await again.close();
  });

  it("fails with STATE_CDR_FILE when the file cannot be read or written, and keeps only what was written", async () => {
    expect(() => new MemoryStateStore({ cdrFile: dir })).toThrow(expect.objectContaining({ code: "STATE_CDR_FILE" }));
    const store = new MemoryStateStore({ clock: () => T0, cdrFile: join(dir, "sub", "cdr.jsonl") });
    await writeFile(join(dir, "sub"), ""); // the file's folder is now a file: no append can succeed
    const err: unknown = await store.appendCallRecord(record(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err).toMatchObject({ code: "STATE_CDR_FILE" });
    expect((err as Error).message).toContain("Check that its folder is writable");
    expect(await store.callRecords()).toEqual([]);
    await store.close();
  });

  it("finishes pending appends before close resolves", async () => {
    const store = new MemoryStateStore({ clock: () => T0, cdrFile: file });
    const appends = [1, 2, 3].map((n) => store.appendCallRecord(record(n)));
    await store.close();
    await Promise.all(appends);
    expect((await readFile(file, "utf8")).trimEnd().split("\n")).toHaveLength(3);
  });
});

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { startRedisServer, type RedisServer } from "../../test/support/redis-server.js";
import { parseCsv } from "../pbx/directory/csv.js";
import { MemoryStateStore, RedisStateStore, type CallRecord } from "../state/index.js";
import { CDR_CSV_HEADER, cdrExportCommand, parseInstant } from "./cdr-command.js";

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

function record(n: number, endedAt: number, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id: `cdr-${String(n).padStart(3, "0")}`,
    callId: `call-${n}@10.0.0.1`,
    caller: "2001",
    dialled: "9 01785 123456",
    target: "trunk carrier-a",
    route: "lcr uk-landline",
    startedAt: endedAt - 60_000,
    answeredAt: endedAt - 50_000,
    endedAt,
    disposition: "answered",
    node: "node-a",
    durationMs: 50_000,
    ...overrides,
  };
}

describe("cdrExportCommand", () => {
  let dir: string;
  let cdrFile: string;
  let stderr: MockInstance;
  let messages: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "strowger-cdr-export-"));
    cdrFile = join(dir, "cdr.jsonl");
    messages = [];
    stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      messages.push(String(chunk));
      return true;
    });
  });
  afterEach(async () => {
    stderr.mockRestore();
    await rm(dir, { recursive: true, force: true });
  });

  /** A one-node install's records file holding `records`, as the node writes it. */
  async function recorded(records: CallRecord[]): Promise<void> {
    const store = new MemoryStateStore({ cdrFile });
    for (const r of records) await store.appendCallRecord(r);
    await store.close();
  }

  it("writes RFC 4180 CSV: a header row, quoted commas, quotes and line breaks, ISO 8601 UTC times, empty absent fields", async () => {
    const answered = record(1, T0, { caller: '"Reception, Main" <2001>', target: "group reception → 2003", route: 'rule "0*"\nthen lcr' });
    const busy: CallRecord = { id: "cdr-002", callId: "c2", caller: "+441785123456", dialled: "2002", startedAt: T0, endedAt: T0 + 1500, disposition: "busy", failureStatus: 486, node: "node-b" };
    await recorded([busy, answered]);
    const out = join(dir, "out.csv");
    expect(await cdrExportCommand({ cdrFile, format: "csv", out })).toBe(0);

    const text = await readFile(out, "utf8");
    expect(text.split("\r\n")[0]).toBe("id,call_id,caller,dialled,target,route,started_at,answered_at,ended_at,disposition,failure_status,node,duration_ms");
    expect(text).toContain('"""Reception, Main"" <2001>"');
    const rows = parseCsv(text).map((row) => row.fields);
    expect(rows).toEqual([
      [...CDR_CSV_HEADER],
      ["cdr-001", "call-1@10.0.0.1", '"Reception, Main" <2001>', "9 01785 123456", "group reception → 2003", 'rule "0*"\nthen lcr', "2025-01-06T08:59:00.000Z", "2025-01-06T08:59:10.000Z", "2025-01-06T09:00:00.000Z", "answered", "", "node-a", "50000"],
      ["cdr-002", "c2", "+441785123456", "2002", "", "", "2025-01-06T09:00:00.000Z", "", "2025-01-06T09:00:01.500Z", "busy", "486", "node-b", ""],
    ]);
    expect(messages.join("")).toContain(`2 call records exported to ${out}`);
  });

  it("keeps a spreadsheet from running a caller ID as a formula", async () => {
    await recorded([record(1, T0, { caller: "=HYPERLINK(\"http://x\")", dialled: "-1+2", target: "@SUM(A1)" })]);
    const out = join(dir, "out.csv");
    await cdrExportCommand({ cdrFile, format: "csv", out });
    const [, row] = parseCsv(await readFile(out, "utf8"));
    expect(row!.fields.slice(2, 5)).toEqual(["'=HYPERLINK(\"http://x\")", "'-1+2", "'@SUM(A1)"]);
  });

  it("writes JSON lines that read back as the same records, and as a records file", async () => {
    const records = [record(1, T0), record(2, T0 + 1000, { disposition: "cancelled", answeredAt: undefined, durationMs: undefined }), record(3, T0 + 2000, { disposition: "failed", failureStatus: 503, target: undefined, route: undefined })];
    const stored = records.map((r) => JSON.parse(JSON.stringify(r)) as CallRecord);
    await recorded(records);
    const out = join(dir, "out.jsonl");
    expect(await cdrExportCommand({ cdrFile, format: "jsonl", out })).toBe(0);
    const lines = (await readFile(out, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l))).toEqual(stored);
    const reread = new MemoryStateStore({ cdrFile: out });
    expect(await reread.callRecords()).toEqual(stored);
    await reread.close();
  });

  it("exports since <= ended < until, the times in ISO 8601 with a zone", async () => {
    await recorded([0, 1, 2, 3].map((h) => record(h, T0 + h * 3_600_000)));
    const out = join(dir, "out.jsonl");
    const ids = async (): Promise<string[]> => (await readFile(out, "utf8")).trim().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as CallRecord).id);
    await cdrExportCommand({ cdrFile, format: "jsonl", out, since: "2025-01-06T10:00:00Z" });
    expect(await ids()).toEqual(["cdr-001", "cdr-002", "cdr-003"]);
    await cdrExportCommand({ cdrFile, format: "jsonl", out, since: "2025-01-06T10:00:00Z", until: "2025-01-06T12:00:00+01:00" }); // 11:00 UTC, exclusive
    expect(await ids()).toEqual(["cdr-001"]);
    await cdrExportCommand({ cdrFile, format: "jsonl", out, until: "2025-01-06" });
    expect(await ids()).toEqual([]);
  });

  it("pages through the records, however many end in one millisecond", async () => {
    const records = [record(1, T0), ...[2, 3, 4, 5, 6].map((n) => record(n, T0 + 1000)), record(7, T0 + 2000)];
    await recorded([...records].reverse());
    const out = join(dir, "out.jsonl");
    await cdrExportCommand({ cdrFile, format: "jsonl", out, pageSize: 2 });
    const ids = (await readFile(out, "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as CallRecord).id);
    expect(ids).toEqual(records.map((r) => r.id));
  });

  it("writes to standard output when no file is named", async () => {
    await recorded([record(1, T0)]);
    let written = "";
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      written += String(chunk);
      const done = rest.find((x) => typeof x === "function") as (() => void) | undefined;
      done?.();
      return true;
    });
    try {
      expect(await cdrExportCommand({ cdrFile, format: "jsonl" })).toBe(0);
    } finally {
      stdout.mockRestore();
    }
    expect(JSON.parse(written)).toEqual(record(1, T0));
  });

  it("refuses bad options with 2, and a missing records file with 1, saying what to do", async () => {
    expect(await cdrExportCommand({ format: "csv" })).toBe(2);
    expect(await cdrExportCommand({ cdrFile, redisUrl: "redis://127.0.0.1:1/0", format: "csv" })).toBe(2);
    expect(await cdrExportCommand({ cdrFile, format: "xml" as "csv" })).toBe(2);
    expect(await cdrExportCommand({ cdrFile, format: "csv", since: "06/01/2025" })).toBe(2);
    expect(await cdrExportCommand({ cdrFile, format: "csv" })).toBe(1);
    expect(messages.join("")).toContain(`there is no call records file at ${cdrFile}`);
    expect(await cdrExportCommand({ redisUrl: "http://127.0.0.1/0", format: "csv" })).toBe(1);
  });
});

describe("parseInstant", () => {
  it("reads a date as midnight UTC and a date-time with its zone, and refuses a time without one", () => {
    expect(parseInstant("--since", "2025-01-06")).toBe(Date.UTC(2025, 0, 6));
    expect(parseInstant("--since", "2025-01-06T09:30:00+01:00")).toBe(Date.UTC(2025, 0, 6, 8, 30));
    expect(parseInstant("--since", "2025-01-06T09:30Z")).toBe(Date.UTC(2025, 0, 6, 9, 30));
    expect(parseInstant("--since", "2025-01-06T09:30:00")).toMatch(/with its zone/);
    expect(parseInstant("--until", "2025-13-01")).toMatch(/^--until must be/);
  });
});

describe("cdrExportCommand from Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  it("exports the records both nodes appended, in endedAt order", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const dir = await mkdtemp(join(tmpdir(), "strowger-cdr-export-"));
    const a = new RedisStateStore({ url: redis.url, keyPrefix: "export:" });
    const b = new RedisStateStore({ url: redis.url, keyPrefix: "export:" });
    try {
      await a.appendCallRecord(record(2, T0 + 1000));
      await b.appendCallRecord(record(1, T0, { node: "node-b" }));
      const out = join(dir, "out.jsonl");
      expect(await cdrExportCommand({ redisUrl: redis.url, keyPrefix: "export:", format: "jsonl", out })).toBe(0);
      const lines = (await readFile(out, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as CallRecord);
      expect(lines).toEqual([record(1, T0, { node: "node-b" }), record(2, T0 + 1000)]);
    } finally {
      await a.close();
      await b.close();
      stderr.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareCallRecords, type CallRecord } from "./call-record.js";
import { CallRecordLog } from "./call-record-log.js";

const record = (id: string, endedAt: number): CallRecord => ({ id, callId: id, caller: "2001", dialled: "2002", startedAt: 0, endedAt, disposition: "answered", node: "n" });

describe("CallRecordLog", () => {
  it("agrees with a sorted, de-duplicated, trimmed list for any appends and queries (property)", () => {
    const op = fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 200 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }), fc.integer({ min: 0, max: 250 }), (ops, maxCount, since) => {
        const log = new CallRecordLog(maxCount === undefined ? {} : { maxCount });
        let model: CallRecord[] = [];
        for (const [n, endedAt] of ops) {
          const r = record(`r${n}`, endedAt);
          log.add(r, 0);
          if (!model.some((m) => m.id === r.id)) model = [...model, r].sort(compareCallRecords);
          if (maxCount !== undefined && model.length > maxCount) model = model.slice(model.length - maxCount);
        }
        expect(log.size).toBe(model.length);
        expect(log.query({})).toEqual(model);
        expect(log.query({ since, until: since + 20, limit: 5 })).toEqual(model.filter((r) => r.endedAt >= since && r.endedAt < since + 20).slice(0, 5));
      }),
      { numRuns: 60 },
    );
  });

  it("compacts after trimming many records from the front, keeping order", () => {
    const log = new CallRecordLog({ maxCount: 10 });
    for (let i = 0; i < 5000; i++) log.add(record(`r${i}`, i), 0);
    expect(log.query({}).map((r) => r.endedAt)).toEqual(Array.from({ length: 10 }, (_, i) => 4990 + i));
    expect((log as unknown as { records: unknown[] }).records.length).toBeLessThan(2100);
  });
});

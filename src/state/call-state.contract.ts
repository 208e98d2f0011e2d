/** The dialogs and call records part of the StateStore contract. */
import { describe, expect, it } from "vitest";
import { T0, dialog, errorOf, record, type ContractContext } from "./state-store.contract-support.js";
import type { CallRecord } from "./call-record.js";
import { DIALOG_SAFETY_TTL_MS } from "./dialog-record.js";

export function defineCallStateContract({ cluster, time }: ContractContext): void {
  describe("dialogs", () => {
    it("finds a dialog put through one node through the other, by the tags of a request from either side", async () => {
      const { a, b } = await cluster();
      const d = dialog(1);
      await a.putDialog(d);
      // A BYE from the caller: From tag = fromTag, To tag = toTag.
      expect(await b.findDialog(d.callId, d.fromTag, d.toTag)).toEqual(d);
      // RFC 3261 §12.2.1.1: a BYE from the callee carries its own tag in From, the caller's in To.
      expect(await b.findDialog(d.callId, d.toTag, d.fromTag)).toEqual(d);
      // A CANCEL has the caller's From tag and no To tag (RFC 3261 §9.1).
      expect(await a.findDialog(d.callId, d.fromTag)).toEqual(d);
    });

    it("finds no dialog for another Call-ID, a wrong tag, or the callee's tag alone", async () => {
      const { a, b } = await cluster();
      const d = dialog(1);
      await a.putDialog(d);
      await a.putDialog(dialog(2));
      expect(await b.findDialog("other@10.0.0.1", d.fromTag, d.toTag)).toBeUndefined();
      expect(await b.findDialog(d.callId, d.fromTag, "another-fork")).toBeUndefined();
      expect(await b.findDialog(d.callId, "another-fork", d.fromTag)).toBeUndefined();
      expect(await b.findDialog(d.callId, d.toTag)).toBeUndefined();
      expect(await b.findDialog(d.callId, dialog(2).fromTag, dialog(2).toTag)).toBeUndefined();
    });

    it("keeps every field, and a dialog without answeredAt (early)", async () => {
      const { a, b } = await cluster();
      const { answeredAt: _answered, ...early } = dialog(1, { target: "group reception → 2003", route: "dialplan default: rule 3 \"0*\"" });
      await a.putDialog(early);
      expect(await b.findDialog(early.callId, early.fromTag, early.toTag)).toEqual(early);
      // The 2xx: put again, answered.
      await b.putDialog({ ...early, answeredAt: T0 + 1 });
      expect(await a.listDialogs()).toEqual([{ ...early, answeredAt: T0 + 1 }]);
    });

    it("ends a dialog once when both nodes end it at once", async () => {
      const { a, b } = await cluster();
      const d = dialog(1);
      await a.putDialog(d);
      const ended = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).endDialog(d.id)));
      expect(ended.filter((x) => x !== undefined)).toEqual([d]);
      expect(await a.findDialog(d.callId, d.fromTag, d.toTag)).toBeUndefined();
      expect(await b.listDialogs()).toEqual([]);
      expect(await b.countDialogs()).toBe(0);
      expect(await b.endDialog(d.id)).toBeUndefined();
      expect(await b.endDialog("no-such-dialog")).toBeUndefined();
    });

    it("ends a dialog expiring by a given time only (the sweep), not one a refresh pushed past it", async () => {
      const { a, b } = await cluster();
      const d = dialog(1, { expiresAt: T0 + 60_000 });
      await a.putDialog(d);
      expect(await b.endDialog(d.id, T0 + 59_999)).toBeUndefined();
      await b.refreshDialog(d.id, T0 + 120_000); // a re-INVITE
      expect(await a.endDialog(d.id, T0 + 60_000)).toBeUndefined();
      expect(await a.countDialogs()).toBe(1);
      expect(await b.endDialog(d.id, T0 + 120_000)).toEqual({ ...d, expiresAt: T0 + 120_000 });
      expect(await a.listDialogs()).toEqual([]);
    });

    it("lists live dialogs of both nodes, oldest first, and counts them", async () => {
      const { a, b } = await cluster();
      expect(await a.listDialogs()).toEqual([]);
      await a.putDialog(dialog(1, { startedAt: T0 - 1000 }));
      await b.putDialog(dialog(2, { startedAt: T0 - 3000, node: "node-b" }));
      await a.putDialog(dialog(3, { startedAt: T0 - 2000 }));
      expect((await b.listDialogs()).map((d) => d.id)).toEqual([dialog(2).id, dialog(3).id, dialog(1).id]);
      expect(await a.countDialogs()).toBe(3);
      await b.endDialog(dialog(3).id);
      expect((await a.listDialogs()).map((d) => d.id)).toEqual([dialog(2).id, dialog(1).id]);
      expect(await a.countDialogs()).toBe(2);
    });

    it("lists only the dialogs whose safety expiry is due by a time, when asked (the sweep's range read)", async () => {
      const { a, b } = await cluster();
      await a.putDialog(dialog(1, { expiresAt: T0 + 60_000, startedAt: T0 - 1000 }));
      await b.putDialog(dialog(2, { expiresAt: T0 + 120_000, startedAt: T0 - 3000, node: "node-b" }));
      await a.putDialog(dialog(3, { expiresAt: T0 + 180_000, startedAt: T0 - 500 }));
      expect((await b.listDialogs(T0 + 120_000)).map((d) => d.id)).toEqual([dialog(2).id, dialog(1).id]);
      expect(await a.listDialogs(T0 + 59_999)).toEqual([]);
      time.now = T0 + 60_000; // dialog 1 has expired: due or not, it is gone
      expect((await a.listDialogs(T0 + 120_000)).map((d) => d.id)).toEqual([dialog(2).id]);
      expect((await a.listDialogs()).map((d) => d.id)).toEqual([dialog(2).id, dialog(3).id]);
    });

    it("does not list, count, find or end a dialog whose safety expiry has passed: listed at T-1, gone at T", async () => {
      const { a, b } = await cluster();
      const expiresAt = T0 + 60_000;
      await a.putDialog(dialog(1, { expiresAt }));
      await a.putDialog(dialog(2));
      time.now = expiresAt - 1;
      expect(await b.listDialogs()).toEqual([dialog(1, { expiresAt }), dialog(2)]);
      expect(await b.countDialogs()).toBe(2);
      time.now = expiresAt;
      expect(await b.listDialogs()).toEqual([dialog(2)]);
      expect(await a.countDialogs()).toBe(1);
      expect(await b.findDialog(dialog(1).callId, dialog(1).fromTag, dialog(1).toTag)).toBeUndefined();
      expect(await b.endDialog(dialog(1).id)).toBeUndefined();
    });

    it("extends a live dialog on refresh, and never brings an ended one back", async () => {
      const { a, b } = await cluster();
      const d = dialog(1, { expiresAt: T0 + 60_000 });
      await a.putDialog(d);
      time.now = T0 + 30_000; // a re-INVITE
      expect(await b.refreshDialog(d.id, time.now + DIALOG_SAFETY_TTL_MS)).toEqual({ ...d, expiresAt: time.now + DIALOG_SAFETY_TTL_MS });
      time.now = T0 + 60_000;
      expect(await a.findDialog(d.callId, d.toTag, d.fromTag)).toEqual({ ...d, expiresAt: T0 + 30_000 + DIALOG_SAFETY_TTL_MS });
      expect(await a.countDialogs()).toBe(1);
      await a.endDialog(d.id);
      expect(await b.refreshDialog(d.id, time.now + DIALOG_SAFETY_TTL_MS)).toBeUndefined();
      expect(await a.listDialogs()).toEqual([]);
    });

    it("refuses a dialog with a bad field or already expired, and a refresh to the past", async () => {
      const { a } = await cluster();
      expect((await errorOf(a.putDialog(dialog(1, { id: "not-the-id" })))).code).toBe("STATE_INVALID_RECORD");
      expect((await errorOf(a.putDialog(dialog(1, { toTag: "" })))).code).toBe("STATE_INVALID_RECORD");
      expect((await errorOf(a.putDialog(dialog(1, { startedAt: T0 + 0.5 })))).code).toBe("STATE_INVALID_RECORD");
      expect((await errorOf(a.putDialog(dialog(1, { expiresAt: T0 })))).code).toBe("STATE_INVALID_RECORD");
      expect(await a.countDialogs()).toBe(0);
      await a.putDialog(dialog(1));
      expect((await errorOf(a.refreshDialog(dialog(1).id, T0))).code).toBe("STATE_INVALID_ARGUMENT");
    });
  });

  describe("call records", () => {
    it("returns the records both nodes appended in endedAt order, whatever order they came in", async () => {
      const { a, b } = await cluster();
      await a.appendCallRecord(record(3, 30));
      await b.appendCallRecord(record(1, 10, { node: "node-b" }));
      await a.appendCallRecord(record(4, 30)); // same endedAt as 3: by id
      await b.appendCallRecord(record(2, 20, { node: "node-b" }));
      expect(await a.callRecords()).toEqual([record(1, 10, { node: "node-b" }), record(2, 20, { node: "node-b" }), record(3, 30), record(4, 30)]);
      expect(await b.callRecords({})).toEqual(await a.callRecords());
    });

    it("keeps every field, and records with none of the optional ones", async () => {
      const { a, b } = await cluster();
      const busy: CallRecord = {
        id: "cdr-busy",
        callId: "c2@10.0.0.1",
        caller: "+441785123456",
        dialled: "2002",
        startedAt: T0,
        endedAt: T0 + 2000,
        disposition: "busy",
        failureStatus: 486,
        node: "node-b",
      };
      const odd = record(1, 1, { caller: '"Reception, Main" <2001>', target: "group reception → 2003", route: "rule \"0*\"\nnext" });
      await a.appendCallRecord(busy);
      await a.appendCallRecord(odd);
      expect(await b.callRecords()).toEqual([odd, busy]);
    });

    it("keeps a record appended twice once (a retry)", async () => {
      const { a, b } = await cluster();
      await a.appendCallRecord(record(1, 10));
      await b.appendCallRecord(record(1, 10));
      await Promise.all([a.appendCallRecord(record(2, 20)), b.appendCallRecord(record(2, 20))]);
      expect(await a.callRecords()).toEqual([record(1, 10), record(2, 20)]);
    });

    it("returns since <= endedAt < until, the oldest first, at most limit", async () => {
      const { a, b } = await cluster();
      for (let n = 1; n <= 6; n++) await (n % 2 === 0 ? a : b).appendCallRecord(record(n, n * 10));
      const ids = (records: CallRecord[]) => records.map((r) => r.id);
      expect(ids(await a.callRecords({ since: T0 + 20_000 }))).toEqual(["cdr-002", "cdr-003", "cdr-004", "cdr-005", "cdr-006"]);
      expect(ids(await a.callRecords({ until: T0 + 30_000 }))).toEqual(["cdr-001", "cdr-002"]);
      expect(ids(await b.callRecords({ since: T0 + 20_000, until: T0 + 50_000 }))).toEqual(["cdr-002", "cdr-003", "cdr-004"]);
      expect(ids(await b.callRecords({ since: T0 + 20_000, limit: 2 }))).toEqual(["cdr-002", "cdr-003"]);
      expect(ids(await b.callRecords({ since: T0 + 61_000 }))).toEqual([]);
      expect(ids(await b.callRecords({ since: T0 + 30_000, until: T0 + 30_000 }))).toEqual([]);
    });

    it("keeps at most maxCount records, the latest", async () => {
      const { a, b } = await cluster({ callRecordRetention: { maxCount: 3 } });
      for (let n = 1; n <= 5; n++) await (n % 2 === 0 ? a : b).appendCallRecord(record(n, n * 10));
      await a.appendCallRecord(record(0, 0)); // older than all it keeps: dropped at once
      expect((await b.callRecords()).map((r) => r.id)).toEqual(["cdr-003", "cdr-004", "cdr-005"]);
    });

    it("drops records that ended maxAgeMs or more ago, as records are appended", async () => {
      const { a, b } = await cluster({ callRecordRetention: { maxAgeMs: 60_000 } });
      await a.appendCallRecord(record(1, 0));
      await b.appendCallRecord(record(2, 30));
      time.now = T0 + 60_000;
      await a.appendCallRecord(record(3, 60)); // record 1 ended 60 s ago: it goes
      expect((await b.callRecords()).map((r) => r.id)).toEqual(["cdr-002", "cdr-003"]);
    });

    it("refuses a record with a bad field, and a bad query", async () => {
      const { a } = await cluster();
      expect((await errorOf(a.appendCallRecord(record(1, 1, { disposition: "hung-up" as CallRecord["disposition"] })))).code).toBe("STATE_INVALID_RECORD");
      expect((await errorOf(a.appendCallRecord(record(1, 1, { failureStatus: 99 })))).code).toBe("STATE_INVALID_RECORD");
      expect((await errorOf(a.appendCallRecord(record(1, 1, { id: "" })))).code).toBe("STATE_INVALID_RECORD");
      expect((await errorOf(a.appendCallRecord(record(1, 1, { endedAt: Number.NaN })))).code).toBe("STATE_INVALID_RECORD");
      expect((await errorOf(a.callRecords({ limit: 0 }))).code).toBe("STATE_INVALID_ARGUMENT");
      expect((await errorOf(a.callRecords({ since: 1.5 }))).code).toBe("STATE_INVALID_ARGUMENT");
      expect(await a.callRecords()).toEqual([]);
    });
  });
}

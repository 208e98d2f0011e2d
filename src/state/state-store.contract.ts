/**
 * The one contract every StateStore passes (memory and Redis alike). `openCluster`
 * opens two nodes' stores on one fresh shared state, both reading the given clock
 * (and keeping call records as `options` say): two Redis clients (two connections, as
 * two nodes have) on one Redis, or for the embedded store the one instance a single
 * node has, twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Binding } from "./binding.js";
import type { CallRecord, CallRecordRetention } from "./call-record.js";
import { DIALOG_SAFETY_TTL_MS, type DialogRecord } from "./dialog-record.js";
import { StateError } from "./state-error.js";
import type { StateStore, UpdateRefusal } from "./state-store.js";

export interface ClusterOptions {
  readonly callRecordRetention?: CallRecordRetention;
}

export type OpenCluster = (clock: () => number, options: ClusterOptions) => Promise<{ a: StateStore; b: StateStore }>;

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const AOR = "sip:2001@pbx.example.org";

function binding(n: number, overrides: Partial<Binding> = {}): Binding {
  return {
    key: `uri sip:2001@10.0.0.${n}:5060`,
    aor: AOR,
    contact: `<sip:2001@10.0.0.${n}:5060;transport=udp>`,
    expiresAt: T0 + 3_600_000,
    callId: `call-${n}@10.0.0.${n}`,
    cseq: 1,
    path: [],
    source: { transport: "udp", address: `10.0.0.${n}`, port: 5060 },
    node: "node-a",
    registeredAt: T0,
    ...overrides,
  };
}

/** A call from 2001 to 2002, answered at T0, set up by node-a; `n` varies the Call-ID and tags. */
function dialog(n: number, overrides: Partial<DialogRecord> = {}): DialogRecord {
  const callId = `a84b4c76e66710-${n}@10.0.0.1`;
  const fromTag = `1928301774-${n}`;
  return {
    id: `${callId};${fromTag}`,
    callId,
    fromTag,
    toTag: `a6c85cf-${n}`,
    caller: "2001",
    dialled: "2002",
    target: "user 2002",
    route: "internal-extensions",
    startedAt: T0 - 5_000,
    answeredAt: T0,
    node: "node-a",
    expiresAt: T0 + DIALOG_SAFETY_TTL_MS,
    ...overrides,
  };
}

/** An answered call's record, ended at T0 + `endedAfterS` seconds. */
function record(n: number, endedAfterS: number, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id: `cdr-${String(n).padStart(3, "0")}`,
    callId: `call-${n}@10.0.0.1`,
    caller: "2001",
    dialled: "9 01785 123456",
    target: "trunk carrier-a",
    route: "lcr uk-landline",
    startedAt: T0 - 10_000,
    answeredAt: T0 - 5_000,
    endedAt: T0 + endedAfterS * 1000,
    disposition: "answered",
    node: "node-a",
    durationMs: endedAfterS * 1000 + 5_000,
    ...overrides,
  };
}

/** Adds or replaces one binding by key: the shape of a registrar's update. */
function upsert(b: Binding) {
  return (current: readonly Binding[]): Binding[] => [...current.filter((c) => c.key !== b.key), b];
}

async function errorOf(promise: Promise<unknown>): Promise<StateError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateError);
  return err as StateError;
}

export function defineStateStoreContract(backend: string, openCluster: OpenCluster): void {
  describe(`StateStore contract: ${backend}`, () => {
    let now = T0;
    const clock = (): number => now;
    let open: StateStore[] = [];

    async function cluster(options: ClusterOptions = {}): Promise<{ a: StateStore; b: StateStore }> {
      now = T0;
      const nodes = await openCluster(clock, options);
      open.push(nodes.a, nodes.b);
      return nodes;
    }

    afterEach(async () => {
      await Promise.all(open.map((store) => store.close()));
      open = [];
    });

    describe("location service (RFC 3261 §10.3)", () => {
      it("shows bindings registered through one node through the other at once", async () => {
        const { a, b } = await cluster();
        await a.updateBindings(AOR, upsert(binding(1)));
        expect(await b.getBindings(AOR)).toEqual([binding(1)]);
        await b.updateBindings(AOR, upsert(binding(2, { node: "node-b" })));
        expect(await a.getBindings(AOR)).toEqual([binding(1), binding(2, { node: "node-b" })]);
      });

      it("replaces the set with the callback's result and returns it with the set it replaced", async () => {
        const { a } = await cluster();
        await a.updateBindings(AOR, () => [binding(1), binding(2)]);
        const result = await a.updateBindings(AOR, (current) => current.filter((c) => c.key !== binding(1).key).concat(binding(3)));
        expect(result).toEqual({ kind: "updated", bindings: [binding(2), binding(3)], previous: [binding(1), binding(2)] });
        expect(await a.getBindings(AOR)).toEqual([binding(2), binding(3)]);
      });

      it("keeps every field of a binding, escapes and optional fields included", async () => {
        const { a, b } = await cluster();
        const full = binding(1, {
          contact: "<sip:2001%20x@10.0.0.1:5060;transport=tcp;ob>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"",
          q: 0.7,
          instanceId: "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>",
          regId: 1,
          path: ["<sip:edge-1.example.org;lr;ob>", "<sip:edge-2.example.org;lr>"],
          source: { transport: "tcp", address: "2001:db8::1", port: 49152, connectionId: "tcp-7" },
          userAgent: "Yealink SIP-T46U 108.86.0.20",
        });
        await a.updateBindings(AOR, upsert(full));
        expect(await b.getBindings(AOR)).toEqual([full]);
      });

      it("keeps AORs apart", async () => {
        const { a } = await cluster();
        const other = "sip:2002@pbx.example.org";
        await a.updateBindings(AOR, upsert(binding(1)));
        await a.updateBindings(other, upsert(binding(2, { aor: other })));
        expect(await a.getBindings(AOR)).toEqual([binding(1)]);
        expect(await a.getBindings(other)).toEqual([binding(2, { aor: other })]);
        expect(await a.getBindings("sip:nobody@pbx.example.org")).toEqual([]);
      });

      it("returns a binding expiring at T at T-1 and not at T, on both nodes", async () => {
        const { a, b } = await cluster();
        const expiresAt = T0 + 60_000;
        await a.updateBindings(AOR, () => [binding(1, { expiresAt }), binding(2)]);

        now = expiresAt - 1;
        expect(await a.getBindings(AOR)).toEqual([binding(1, { expiresAt }), binding(2)]);
        expect(await b.getBindings(AOR)).toEqual([binding(1, { expiresAt }), binding(2)]);
        expect(await a.countBindings()).toEqual({ aors: 1, bindings: 2 });

        now = expiresAt;
        expect(await a.getBindings(AOR)).toEqual([binding(2)]);
        expect(await b.getBindings(AOR)).toEqual([binding(2)]);
        expect(await b.countBindings()).toEqual({ aors: 1, bindings: 1 });
      });

      it("takes the time of the read from the caller when given", async () => {
        const { a } = await cluster();
        await a.updateBindings(AOR, upsert(binding(1, { expiresAt: T0 + 1000 })));
        expect(await a.getBindings(AOR, T0 + 999)).toHaveLength(1);
        expect(await a.getBindings(AOR, T0 + 1000)).toEqual([]);
      });

      it("shows the update callback only unexpired bindings, and the store's time", async () => {
        const { a, b } = await cluster();
        await a.updateBindings(AOR, () => [binding(1, { expiresAt: T0 + 1000 }), binding(2)]);
        now = T0 + 1000;
        let seen: { current: readonly Binding[]; at: number } | undefined;
        await b.updateBindings(AOR, (current, at) => {
          seen = { current, at };
          return current;
        });
        expect(seen).toEqual({ current: [binding(2)], at: T0 + 1000 });
      });

      it("drops bindings the callback returns already expired", async () => {
        const { a } = await cluster();
        const result = await a.updateBindings(AOR, () => [binding(1, { expiresAt: T0 }), binding(2)]);
        expect(result).toMatchObject({ kind: "updated", bindings: [binding(2)] });
        expect(await a.getBindings(AOR)).toEqual([binding(2)]);
      });

      it("removes the AOR when the result is empty", async () => {
        const { a, b } = await cluster();
        await a.updateBindings(AOR, upsert(binding(1)));
        await b.updateBindings(AOR, () => []);
        expect(await a.getBindings(AOR)).toEqual([]);
        expect(await a.countBindings()).toEqual({ aors: 0, bindings: 0 });
      });

      it("MUST leave the bindings unchanged when the update is refused (RFC 3261 §10.3 step 7)", async () => {
        const { a, b } = await cluster();
        await a.updateBindings(AOR, upsert(binding(1, { cseq: 5 })));
        // The registrar's rule: same Call-ID and a CSeq not higher aborts the update.
        interface CseqRefusal extends UpdateRefusal {
          readonly status: 500;
        }
        const refusal: CseqRefusal = { kind: "refused", reason: "CSeq out of order", status: 500 };
        const result = await b.updateBindings<CseqRefusal>(AOR, (current) =>
          current.some((c) => c.key === binding(1).key && c.cseq >= 4) ? refusal : [binding(1, { cseq: 4 }), binding(2)],
        );
        expect(result).toBe(refusal);
        expect(await a.getBindings(AOR)).toEqual([binding(1, { cseq: 5 })]);
      });

      it("leaves the bindings unchanged when the callback throws", async () => {
        const { a } = await cluster();
        await a.updateBindings(AOR, upsert(binding(1)));
        await expect(
          a.updateBindings(AOR, () => {
            throw new Error("registrar bug");
          }),
        ).rejects.toThrow("registrar bug");
        expect(await a.getBindings(AOR)).toEqual([binding(1)]);
      });

      it("refuses a result with two bindings of one key, or a binding of another AOR", async () => {
        const { a } = await cluster();
        await a.updateBindings(AOR, upsert(binding(1)));
        expect((await errorOf(a.updateBindings(AOR, () => [binding(2), binding(2, { cseq: 2 })]))).code).toBe("STATE_INVALID_BINDING");
        expect((await errorOf(a.updateBindings(AOR, () => [binding(2, { aor: "sip:2002@pbx.example.org" })]))).code).toBe("STATE_INVALID_BINDING");
        expect((await errorOf(a.updateBindings(AOR, () => [binding(2, { expiresAt: T0 + 0.5 })]))).code).toBe("STATE_INVALID_BINDING");
        expect(await a.getBindings(AOR)).toEqual([binding(1)]);
      });

      it("never loses an update when both nodes update one AOR at once", async () => {
        const { a, b } = await cluster();
        const perNode = 20;
        await Promise.all(
          Array.from({ length: perNode * 2 }, (_, i) => (i % 2 === 0 ? a : b).updateBindings(AOR, upsert(binding(i + 1, { node: i % 2 === 0 ? "node-a" : "node-b" })))),
        );
        const keys = (await b.getBindings(AOR)).map((x) => x.key).sort();
        expect(keys).toEqual(Array.from({ length: perNode * 2 }, (_, i) => binding(i + 1).key).sort());
        expect(await a.countBindings()).toEqual({ aors: 1, bindings: perNode * 2 });
      });

      it("applies concurrent read-modify-writes of one binding one after another", async () => {
        const { a, b } = await cluster();
        await a.updateBindings(AOR, upsert(binding(1, { cseq: 0 })));
        // Each update reads the CSeq and writes it plus one: a lost update shows as a lower total.
        const increment = (current: readonly Binding[]): Binding[] => current.map((c) => ({ ...c, cseq: c.cseq + 1 }));
        await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).updateBindings(AOR, increment)));
        expect((await a.getBindings(AOR))[0]?.cseq).toBe(30);
      });

      it("counts live AORs and bindings across nodes", async () => {
        const { a, b } = await cluster();
        expect(await a.countBindings()).toEqual({ aors: 0, bindings: 0 });
        const other = "sip:2002@pbx.example.org";
        await a.updateBindings(AOR, () => [binding(1), binding(2)]);
        await b.updateBindings(other, () => [binding(3, { aor: other, expiresAt: T0 + 1000 })]);
        expect(await b.countBindings()).toEqual({ aors: 2, bindings: 3 });
        await a.updateBindings(AOR, (current) => current.slice(1));
        expect(await b.countBindings()).toEqual({ aors: 2, bindings: 2 });
        now = T0 + 1000;
        expect(await a.countBindings()).toEqual({ aors: 1, bindings: 1 });
      });
    });

    describe("shared secrets", () => {
      it("gives every node the same 32-byte secret, made by the first to ask", async () => {
        const { a, b } = await cluster();
        const first = await a.sharedSecret("nonce");
        expect(first).toHaveLength(32);
        expect(await b.sharedSecret("nonce")).toEqual(first);
        expect(await a.sharedSecret("nonce")).toEqual(first);
        expect(await a.sharedSecret("other")).not.toEqual(first);
      });
    });

    describe("digest nonce counts (RFC 7616 §3.4)", () => {
      it("MUST refuse an nc not greater than the last accepted, on either node", async () => {
        const { a, b } = await cluster();
        expect(await a.useNonceCount("n1", 1, 300_000)).toBe(true);
        expect(await b.useNonceCount("n1", 1, 300_000)).toBe(false);
        expect(await b.useNonceCount("n1", 3, 300_000)).toBe(true);
        expect(await a.useNonceCount("n1", 2, 300_000)).toBe(false);
        expect(await a.useNonceCount("n1", 3, 300_000)).toBe(false);
        expect(await a.useNonceCount("n1", 4, 300_000)).toBe(true);
      });

      it("accepts one nc once when both nodes see it at the same time", async () => {
        const { a, b } = await cluster();
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).useNonceCount("n1", 1, 300_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("keeps each nonce's count apart", async () => {
        const { a, b } = await cluster();
        expect(await a.useNonceCount("n1", 5, 300_000)).toBe(true);
        expect(await b.useNonceCount("n2", 1, 300_000)).toBe(true);
      });

      it("forgets a nonce's count when its time to live has passed", async () => {
        const { a, b } = await cluster();
        expect(await a.useNonceCount("n1", 7, 60_000)).toBe(true);
        now = T0 + 59_999;
        expect(await b.useNonceCount("n1", 7, 60_000)).toBe(false);
        now = T0 + 60_000;
        expect(await b.useNonceCount("n1", 7, 60_000)).toBe(true);
      });

      it("rejects an nc or a TTL that is not a positive whole number", async () => {
        const { a } = await cluster();
        expect((await errorOf(a.useNonceCount("n1", 0, 1000))).code).toBe("STATE_INVALID_ARGUMENT");
        expect((await errorOf(a.useNonceCount("n1", 1.5, 1000))).code).toBe("STATE_INVALID_ARGUMENT");
        expect((await errorOf(a.useNonceCount("n1", 1, 0))).code).toBe("STATE_INVALID_ARGUMENT");
      });
    });

    describe("failed authentications and blocks", () => {
      it("counts failures in one window shared by both nodes", async () => {
        const { a, b } = await cluster();
        expect(await a.recordFailure("user:2001", 60_000)).toBe(1);
        now = T0 + 1000;
        expect(await b.recordFailure("user:2001", 60_000)).toBe(2);
        now = T0 + 59_999;
        expect(await a.recordFailure("user:2001", 60_000)).toBe(3);
        expect(await b.recordFailure("ip:192.0.2.7", 60_000)).toBe(1);
        now = T0 + 60_000; // the window opened at T0 has closed
        expect(await b.recordFailure("user:2001", 60_000)).toBe(1);
      });

      it("counts every failure when both nodes record them at once", async () => {
        const { a, b } = await cluster();
        await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).recordFailure("user:2001", 60_000)));
        expect(await a.recordFailure("user:2001", 60_000)).toBe(31);
      });

      it("clears failures for both nodes", async () => {
        const { a, b } = await cluster();
        await a.recordFailure("user:2001", 60_000);
        await a.recordFailure("user:2001", 60_000);
        await b.clearFailures("user:2001");
        expect(await a.recordFailure("user:2001", 60_000)).toBe(1);
      });

      it("shows a block set on one node on the other until its end, and not at it", async () => {
        const { a, b } = await cluster();
        expect(await b.blockedUntil("ip:192.0.2.7")).toBeUndefined();
        await a.block("ip:192.0.2.7", T0 + 600_000);
        now = T0 + 599_999;
        expect(await b.blockedUntil("ip:192.0.2.7")).toBe(T0 + 600_000);
        expect(await b.blockedUntil("ip:192.0.2.8")).toBeUndefined();
        now = T0 + 600_000;
        expect(await b.blockedUntil("ip:192.0.2.7")).toBeUndefined();
      });

      it("never shortens a block, and lifts it on unblock", async () => {
        const { a, b } = await cluster();
        await a.block("user:2001", T0 + 600_000);
        await b.block("user:2001", T0 + 60_000);
        expect(await a.blockedUntil("user:2001")).toBe(T0 + 600_000);
        await b.block("user:2001", T0 + 900_000);
        expect(await a.blockedUntil("user:2001")).toBe(T0 + 900_000);
        await a.block("user:2001", T0 - 1); // already over: no effect
        expect(await b.blockedUntil("user:2001")).toBe(T0 + 900_000);
        await a.unblock("user:2001");
        expect(await b.blockedUntil("user:2001")).toBeUndefined();
      });

      it("blocks again after a block has ended", async () => {
        const { a, b } = await cluster();
        await a.block("user:2001", T0 + 1000);
        now = T0 + 2000;
        await b.block("user:2001", T0 + 3000);
        expect(await a.blockedUntil("user:2001")).toBe(T0 + 3000);
      });
    });

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

      it("does not list, count, find or end a dialog whose safety expiry has passed: listed at T-1, gone at T", async () => {
        const { a, b } = await cluster();
        const expiresAt = T0 + 60_000;
        await a.putDialog(dialog(1, { expiresAt }));
        await a.putDialog(dialog(2));
        now = expiresAt - 1;
        expect(await b.listDialogs()).toEqual([dialog(1, { expiresAt }), dialog(2)]);
        expect(await b.countDialogs()).toBe(2);
        now = expiresAt;
        expect(await b.listDialogs()).toEqual([dialog(2)]);
        expect(await a.countDialogs()).toBe(1);
        expect(await b.findDialog(dialog(1).callId, dialog(1).fromTag, dialog(1).toTag)).toBeUndefined();
        expect(await b.endDialog(dialog(1).id)).toBeUndefined();
      });

      it("extends a live dialog on refresh, and never brings an ended one back", async () => {
        const { a, b } = await cluster();
        const d = dialog(1, { expiresAt: T0 + 60_000 });
        await a.putDialog(d);
        now = T0 + 30_000; // a re-INVITE
        expect(await b.refreshDialog(d.id, now + DIALOG_SAFETY_TTL_MS)).toEqual({ ...d, expiresAt: now + DIALOG_SAFETY_TTL_MS });
        now = T0 + 60_000;
        expect(await a.findDialog(d.callId, d.toTag, d.fromTag)).toEqual({ ...d, expiresAt: T0 + 30_000 + DIALOG_SAFETY_TTL_MS });
        expect(await a.countDialogs()).toBe(1);
        await a.endDialog(d.id);
        expect(await b.refreshDialog(d.id, now + DIALOG_SAFETY_TTL_MS)).toBeUndefined();
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
        now = T0 + 60_000;
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

    describe("lifecycle", () => {
      it("reports ready, and closed after close()", async () => {
        const { a } = await cluster();
        await a.getBindings(AOR); // the first round trip: a connection is up
        expect(a.health()).toMatchObject({ backend, state: "ready" });
        const changes: string[] = [];
        a.onHealthChange((h) => changes.push(h.state));
        await a.close();
        await a.close(); // idempotent
        expect(a.health().state).toBe("closed");
        expect(changes).toEqual(["closed"]);
        expect((await errorOf(a.getBindings(AOR))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.updateBindings(AOR, () => []))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.useNonceCount("n1", 1, 1000))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.recordFailure("k", 1000))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.putDialog(dialog(1)))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.listDialogs())).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.appendCallRecord(record(1, 1)))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.callRecords())).code).toBe("STATE_CLOSED");
      });
    });
  });
}

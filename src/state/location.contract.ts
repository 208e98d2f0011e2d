/** The location service part of the StateStore contract (RFC 3261 §10.3). */
import { describe, expect, it } from "vitest";
import type { Binding } from "./binding.js";
import type { UpdateRefusal } from "./state-store.js";
import { AOR, T0, binding, errorOf, upsert, type ContractContext } from "./state-store.contract-support.js";

export function defineLocationContract({ cluster, time }: ContractContext): void {
  describe("location service (RFC 3261 §10.3)", () => {
    it("shows bindings registered through one node through the other at once", async () => {
      const { a, b } = await cluster();
      await a.updateBindings(AOR, upsert(binding(1)));
      expect(await b.getBindings(AOR)).toEqual([binding(1)]);
      await b.updateBindings(AOR, upsert(binding(2, { node: "node-b" })));
      expect(await a.getBindings(AOR)).toEqual([binding(1), binding(2, { node: "node-b" })]);
    });

    it("visits every AOR with live bindings, registered through either node, and none whose bindings expired", async () => {
      const { a, b } = await cluster();
      const other = "sip:2002@pbx.example.org";
      await a.updateBindings(AOR, upsert(binding(1, { expiresAt: T0 + 60_000 })));
      await b.updateBindings(other, upsert(binding(2, { aor: other, expiresAt: T0 + 120_000 })));
      const seen = new Map<string, readonly Binding[]>();
      expect(await a.visitBindings((aor, bindings) => seen.set(aor, bindings))).toBe(2);
      expect(seen).toEqual(
        new Map([
          [AOR, [binding(1, { expiresAt: T0 + 60_000 })]],
          [other, [binding(2, { aor: other, expiresAt: T0 + 120_000 })]],
        ]),
      );
      time.now = T0 + 60_000;
      seen.clear();
      expect(await b.visitBindings((aor, bindings) => seen.set(aor, bindings))).toBe(1);
      expect([...seen.keys()]).toEqual([other]);
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

      time.now = expiresAt - 1;
      expect(await a.getBindings(AOR)).toEqual([binding(1, { expiresAt }), binding(2)]);
      expect(await b.getBindings(AOR)).toEqual([binding(1, { expiresAt }), binding(2)]);
      expect(await a.countBindings()).toEqual({ aors: 1, bindings: 2 });

      time.now = expiresAt;
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
      time.now = T0 + 1000;
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
      time.now = T0 + 1000;
      expect(await a.countBindings()).toEqual({ aors: 1, bindings: 1 });
    });
  });
}

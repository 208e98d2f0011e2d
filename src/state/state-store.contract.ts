/**
 * The one contract every StateStore passes (memory and Redis alike). `openCluster`
 * opens two nodes' stores on one fresh shared state, both reading the given clock: two
 * Redis clients (two connections, as two nodes have) on one Redis, or for the
 * embedded store the one instance a single node has, twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Binding } from "./binding.js";
import { StateError } from "./state-error.js";
import type { StateStore, UpdateRefusal } from "./state-store.js";

export type OpenCluster = (clock: () => number) => Promise<{ a: StateStore; b: StateStore }>;

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

    async function cluster(): Promise<{ a: StateStore; b: StateStore }> {
      now = T0;
      const nodes = await openCluster(clock);
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
      });
    });
  });
}

/** The authentication part of the StateStore contract: shared secrets, nonce counts, failures and blocks. */
import { describe, expect, it } from "vitest";
import { AOR, T0, binding, errorOf, upsert, type ContractContext } from "./state-store.contract-support.js";
import type { StateStore } from "./state-store.js";

export function defineAuthStateContract({ cluster, time }: ContractContext): void {
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
    /** `checkCredentials` with the nonce count only: whether it was accepted. */
    const use = async (store: StateStore, nonce: string, nc: number, ttlMs: number): Promise<boolean | undefined> =>
      (await store.checkCredentials([], { nonce, nc, ttlMs })).fresh;

    it("MUST refuse an nc not greater than the last accepted, on either node", async () => {
      const { a, b } = await cluster();
      expect(await use(a, "n1", 1, 300_000)).toBe(true);
      expect(await use(b, "n1", 1, 300_000)).toBe(false);
      expect(await use(b, "n1", 3, 300_000)).toBe(true);
      expect(await use(a, "n1", 2, 300_000)).toBe(false);
      expect(await use(a, "n1", 3, 300_000)).toBe(false);
      expect(await use(a, "n1", 4, 300_000)).toBe(true);
    });

    it("accepts one nc once when both nodes see it at the same time", async () => {
      const { a, b } = await cluster();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => use(i % 2 === 0 ? a : b, "n1", 1, 300_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("keeps each nonce's count apart", async () => {
      const { a, b } = await cluster();
      expect(await use(a, "n1", 5, 300_000)).toBe(true);
      expect(await use(b, "n2", 1, 300_000)).toBe(true);
    });

    it("forgets a nonce's count when its time to live has passed", async () => {
      const { a, b } = await cluster();
      expect(await use(a, "n1", 7, 60_000)).toBe(true);
      time.now = T0 + 59_999;
      expect(await use(b, "n1", 7, 60_000)).toBe(false);
      time.now = T0 + 60_000;
      expect(await use(b, "n1", 7, 60_000)).toBe(true);
    });

    it("rejects an nc or a TTL that is not a positive whole number", async () => {
      const { a } = await cluster();
      expect((await errorOf(use(a, "n1", 0, 1000))).code).toBe("STATE_INVALID_ARGUMENT");
      expect((await errorOf(use(a, "n1", 1.5, 1000))).code).toBe("STATE_INVALID_ARGUMENT");
      expect((await errorOf(use(a, "n1", 1, 0))).code).toBe("STATE_INVALID_ARGUMENT");
    });
  });

  describe("a credentials check: blocks and the nonce count in one call", () => {
    it("answers each key's block in order, on either node, until its end and not at it", async () => {
      const { a, b } = await cluster();
      await a.block("source:192.0.2.7", T0 + 600_000);
      await a.block("user:2001", T0 + 60_000);
      expect(await b.checkCredentials(["source:192.0.2.7", "user:2002", "user:2001"])).toEqual({
        blockedUntil: [T0 + 600_000, undefined, T0 + 60_000],
        fresh: undefined,
      });
      time.now = T0 + 60_000;
      expect((await b.checkCredentials(["source:192.0.2.7", "user:2001"])).blockedUntil).toEqual([T0 + 600_000, undefined]);
      time.now = T0 + 600_000;
      expect((await a.checkCredentials(["source:192.0.2.7"])).blockedUntil).toEqual([undefined]);
    });

    it("agrees with blockedUntil, and follows unblock at once", async () => {
      const { a, b } = await cluster();
      await a.block("user:2001", T0 + 600_000);
      expect((await b.checkCredentials(["user:2001"])).blockedUntil).toEqual([await b.blockedUntil("user:2001")]);
      await b.unblock("user:2001");
      expect((await a.checkCredentials(["user:2001"])).blockedUntil).toEqual([undefined]);
    });

    it("answers the nonce count beside the blocks", async () => {
      const { a, b } = await cluster();
      await b.block("user:2001", T0 + 600_000);
      const check = { nonce: "n1", nc: 1, ttlMs: 300_000 };
      expect(await a.checkCredentials(["source:192.0.2.7"], check)).toEqual({ blockedUntil: [undefined], fresh: true });
      expect(await b.checkCredentials(["source:192.0.2.7", "user:2001"], check)).toEqual({ blockedUntil: [undefined, T0 + 600_000], fresh: false });
    });

    it("uses the nonce count even when a key is blocked, so a request refused then is a replay after the block", async () => {
      const { a, b } = await cluster();
      await a.block("user:2001", T0 + 60_000);
      const check = { nonce: "n1", nc: 1, ttlMs: 300_000 };
      expect(await a.checkCredentials(["user:2001"], check)).toEqual({ blockedUntil: [T0 + 60_000], fresh: true });
      time.now = T0 + 60_000;
      expect(await b.checkCredentials(["user:2001"], check)).toEqual({ blockedUntil: [undefined], fresh: false });
    });

    it("leaves the nonce counts alone when asked about blocks only", async () => {
      const { a } = await cluster();
      expect(await a.checkCredentials([])).toEqual({ blockedUntil: [], fresh: undefined });
      expect((await a.checkCredentials(["user:2001"])).fresh).toBeUndefined();
      expect((await a.checkCredentials([], { nonce: "n1", nc: 1, ttlMs: 300_000 })).fresh).toBe(true);
    });
  });

  describe("a REGISTER's credentials check with its binding update", () => {
    const nonceCount = (nc: number) => ({ nonce: "n1", nc, ttlMs: 300_000 });
    const credentials = (nc: number) => ({ blockKeys: ["source:192.0.2.7", "user:2001"], nonceCount: nonceCount(nc) });
    const refusal = { kind: "refused", reason: "Interval Too Brief", status: 423 } as const;

    it("updates the bindings when no key is blocked and the count is new, and uses the count", async () => {
      const { a, b } = await cluster();
      expect(await a.updateBindings(AOR, upsert(binding(1)), credentials(1))).toEqual({ kind: "updated", bindings: [binding(1)], previous: [] });
      expect(await b.getBindings(AOR)).toEqual([binding(1)]);
      expect((await b.checkCredentials([], nonceCount(1))).fresh).toBe(false);
      expect((await b.checkCredentials([], nonceCount(2))).fresh).toBe(true);
    });

    it("updates nothing for a replayed count, and returns the check", async () => {
      const { a, b } = await cluster();
      await b.checkCredentials([], nonceCount(1));
      expect(await a.updateBindings(AOR, upsert(binding(1)), credentials(1))).toEqual({
        kind: "credentials refused",
        check: { blockedUntil: [undefined, undefined], fresh: false },
      });
      expect(await b.getBindings(AOR)).toEqual([]);
    });

    it("updates nothing while a key is blocked, uses the count all the same, and updates once the block is over", async () => {
      const { a, b } = await cluster();
      await b.block("user:2001", T0 + 60_000);
      expect(await a.updateBindings(AOR, upsert(binding(1)), credentials(1))).toEqual({
        kind: "credentials refused",
        check: { blockedUntil: [undefined, T0 + 60_000], fresh: true },
      });
      expect(await a.getBindings(AOR)).toEqual([]);
      time.now = T0 + 60_000;
      expect((await b.updateBindings(AOR, upsert(binding(1)), credentials(1))).kind).toBe("credentials refused");
      expect((await b.updateBindings(AOR, upsert(binding(1)), credentials(2))).kind).toBe("updated");
    });

    it("returns the update's refusal only once the credentials passed", async () => {
      const { a, b } = await cluster();
      await b.block("source:192.0.2.7", T0 + 60_000);
      expect((await a.updateBindings(AOR, () => refusal, credentials(1))).kind).toBe("credentials refused");
      time.now = T0 + 60_000;
      expect(await a.updateBindings(AOR, () => refusal, credentials(2))).toBe(refusal);
      expect((await b.checkCredentials([], nonceCount(2))).fresh).toBe(false);
    });

    it("checks the credentials before an update that throws: a blocked key hears of its block, not of the error", async () => {
      const { a, b } = await cluster();
      await b.block("user:2001", T0 + 60_000);
      const failing = (): never => {
        throw new Error("the callback's own error");
      };
      expect((await a.updateBindings(AOR, failing, credentials(1))).kind).toBe("credentials refused");
      time.now = T0 + 60_000;
      await expect(a.updateBindings(AOR, failing, credentials(2))).rejects.toThrow("the callback's own error");
    });

    it("uses the count once when the other node changed the bindings in between", async () => {
      const { a, b } = await cluster();
      await a.updateBindings(AOR, upsert(binding(1)));
      await b.updateBindings(AOR, upsert(binding(2)));
      const result = await a.updateBindings(AOR, upsert(binding(3)), credentials(1));
      expect(result).toMatchObject({ kind: "updated", bindings: [binding(1), binding(2), binding(3)] });
      expect((await b.checkCredentials([], nonceCount(1))).fresh).toBe(false);
      expect((await b.checkCredentials([], nonceCount(2))).fresh).toBe(true);
    });
  });

  describe("failed authentications and blocks", () => {
    it("counts failures in one window shared by both nodes", async () => {
      const { a, b } = await cluster();
      expect(await a.recordFailure("user:2001", 60_000)).toBe(1);
      time.now = T0 + 1000;
      expect(await b.recordFailure("user:2001", 60_000)).toBe(2);
      time.now = T0 + 59_999;
      expect(await a.recordFailure("user:2001", 60_000)).toBe(3);
      expect(await b.recordFailure("ip:192.0.2.7", 60_000)).toBe(1);
      time.now = T0 + 60_000; // the window opened at T0 has closed
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
      time.now = T0 + 599_999;
      expect(await b.blockedUntil("ip:192.0.2.7")).toBe(T0 + 600_000);
      expect(await b.blockedUntil("ip:192.0.2.8")).toBeUndefined();
      time.now = T0 + 600_000;
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
      time.now = T0 + 2000;
      await b.block("user:2001", T0 + 3000);
      expect(await a.blockedUntil("user:2001")).toBe(T0 + 3000);
    });
  });
}

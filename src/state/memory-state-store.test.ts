import { describe, expect, it } from "vitest";
import type { Binding } from "./binding.js";
import { MemoryStateStore } from "./memory-state-store.js";
import { defineStateStoreContract } from "./state-store.contract.js";

// The embedded store is one node's whole state: the contract's two "nodes" are the
// one instance, which is what sharing state means inside one process.
defineStateStoreContract("memory", async (clock) => {
  const store = new MemoryStateStore({ clock });
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

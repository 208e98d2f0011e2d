/**
 * The one contract every StateStore passes (memory and Redis alike). `openCluster`
 * opens two nodes' stores on one fresh shared state, both reading the given clock
 * (and keeping call records as `options` say): two Redis clients (two connections, as
 * two nodes have) on one Redis, or for the embedded store the one instance a single
 * node has, twice. The parts are in location.contract.ts, auth-state.contract.ts and
 * call-state.contract.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { defineAuthStateContract } from "./auth-state.contract.js";
import { defineCallStateContract } from "./call-state.contract.js";
import { defineLocationContract } from "./location.contract.js";
import { AOR, T0, dialog, errorOf, record, type ClusterOptions, type OpenCluster } from "./state-store.contract-support.js";
import type { StateStore } from "./state-store.js";

export type { ClusterOptions, OpenCluster } from "./state-store.contract-support.js";

export function defineStateStoreContract(backend: string, openCluster: OpenCluster): void {
  describe(`StateStore contract: ${backend}`, () => {
    const time = { now: T0 };
    const clock = (): number => time.now;
    let open: StateStore[] = [];

    async function cluster(options: ClusterOptions = {}): Promise<{ a: StateStore; b: StateStore }> {
      time.now = T0;
      const nodes = await openCluster(clock, options);
      open.push(nodes.a, nodes.b);
      return nodes;
    }

    const context = { backend, cluster, time };

    afterEach(async () => {
      await Promise.all(open.map((store) => store.close()));
      open = [];
    });

    defineLocationContract(context);

    defineAuthStateContract(context);

    defineCallStateContract(context);

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
        expect((await errorOf(a.checkCredentials(["k"], { nonce: "n1", nc: 1, ttlMs: 1000 }))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.recordFailure("k", 1000))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.putDialog(dialog(1)))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.listDialogs())).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.appendCallRecord(record(1, 1)))).code).toBe("STATE_CLOSED");
        expect((await errorOf(a.callRecords())).code).toBe("STATE_CLOSED");
      });
    });
  });
}

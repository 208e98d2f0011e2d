/**
 * Prometheus scrapes the node's /metrics: the counters an operator pages on are there
 * and move; a load balancer asks /health.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "./support/in-process-node.js";
import { runSipp } from "./support/sipp.js";

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(() => node?.stop());

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${node.node.metricsPort}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

describe("metrics endpoint", () => {
  it("serves the node's metrics in Prometheus text format, on loopback", async () => {
    const text = await scrape();
    for (const name of ["strowger_registrations_total", "strowger_auth_total", "strowger_sip_messages_total", "strowger_sip_transactions", "strowger_registered_bindings", "strowger_live_calls"]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(/^strowger_state_store_up 1$/m);
  });

  it("counts SIP traffic by transport", async () => {
    const udp = node.endpoint("UDP");
    const result = await runSipp({ scenario: "uac-options-expect-200.xml", remote: udp, transport: "u1", calls: 3 });
    expect(result.code, result.summary).toBe(0);
    expect(await scrape()).toMatch(/^strowger_sip_messages_total\{direction="in",transport="UDP"\} [3-9]/m);
  });

  it("answers GET /health with the node's status as JSON: ok, 200, on the embedded store", async () => {
    const response = await fetch(`http://127.0.0.1:${node.node.metricsPort}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toMatchObject({ status: "ok", state: { backend: "memory", state: "ready" }, overloaded: false });
  });
});

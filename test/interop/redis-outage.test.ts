/**
 * Redis stopped under a live node (ARCHITECTURE.md: "Redis unreachable is a fault to
 * survive: keep routing from the last known state held in memory, say so loudly
 * (logs, metrics, health endpoint), and reconcile on return"), with sipp on both ends
 * of a call and a real redis-server stopped and started again by the test, keeping
 * its data in an append-only file as a deployed pair's Redis does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { untilHealth } from "../../src/state/state-store.contract-support.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startCallNode, type CallNode } from "./support/call-node.js";
import { pollUntil } from "./support/poll.js";
import { statusesFor } from "./support/sip-calls.js";
import { headerValue } from "./support/sip-text.js";
import type { SippRun } from "./support/sipp.js";
import { callWithSipp, password, registerPhone, startUas } from "./support/sipp-phone.js";
import { answerWith, registerWithSipp } from "./support/sipp-register.js";
import { testDirectory } from "./support/test-directory.js";

const ok = (run: SippRun) => expect(run.code, run.summary).toBe(0);
const heard = (run: SippRun, method: string) => statusesFor(run.messages, method).filter((s, i, all) => s !== 100 && s !== all[i - 1]);

let redis: RedisServer;
let node: CallNode;

beforeAll(async () => {
  redis = await startRedisServer({ persist: true });
  const directory = testDirectory(["2001", "2002", "2003", "2004"].map((extension) => ({ extension, password: password(extension) })));
  node = await startCallNode({ directory, redisUrl: redis.url });
});
afterAll(async () => {
  await node?.stop();
  await redis?.stop();
});

async function metric(name: string): Promise<string> {
  return node.node.metrics.registry.getSingleMetricAsString(name);
}

describe("a node whose Redis stops", () => {
  it("MUST keep routing calls to the phones it last saw, refuse REGISTER with 503 and Retry-After (RFC 3261 §21.5.4), and write the outage's call records when Redis is back", async () => {
    const udp = node.endpoint("UDP");
    // Registered through this node before the outage: the node has seen the binding.
    const callee = await startUas("uas-answer-expect-invite-ack-bye.xml", await registerPhone(udp, "2002"), udp);

    await redis.pause();
    await untilHealth(node.node.stateStore, "unreachable");

    const caller = await callWithSipp({ scenario: "uac-invite-auth-expect-180-200-then-bye.xml", node: udp, caller: "2001", callee: "2002" });
    ok(caller);
    ok(await callee.done);
    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(heard(caller, "BYE")).toEqual([200]);

    // A challenge needs no shared state; the binding update does.
    const registration = await registerWithSipp({
      scenario: "uac-register-digest-expect-401-then-503.xml",
      remote: udp,
      transport: "u1",
      user: "2003",
      authorize: answerWith({ username: "2003", password: password("2003") }),
    });
    ok(registration);

    // Said loudly: the store is down, what was answered from memory, the record waiting.
    expect(await metric("strowger_state_store_up")).toMatch(/^strowger_state_store_up 0$/m);
    expect(await metric("strowger_state_fallbacks_total")).toMatch(/^strowger_state_fallbacks_total\{operation="bindings"\} [1-9]/m);
    expect(await metric("strowger_state_fallbacks_total")).toMatch(/^strowger_state_fallbacks_total\{operation="credentials"\} [1-9]/m);
    expect(await metric("strowger_state_queued_records")).toMatch(/^strowger_state_queued_records 1$/m);

    await redis.resume();
    await untilHealth(node.node.stateStore, "ready");
    const callId = headerValue(caller.messages[0]!, "Call-ID")!;
    const [record] = await node.recordsOf(callId, 1, 10_000);
    expect(record).toMatchObject({ disposition: "answered", caller: "2001", dialled: "2002", node: "strowger-1" });
    expect(await metric("strowger_state_queued_records")).toMatch(/^strowger_state_queued_records 0$/m);
  });

  it("MUST carry a call answered before the outage through it (re-INVITE and BYE, RFC 3261 §16.12), and write its record, ended when the BYE came, once Redis is back", async () => {
    await untilHealth(node.node.stateStore, "ready");
    const udp = node.endpoint("UDP");
    const callee = await startUas("uas-answer-expect-reinvite-then-bye.xml", await registerPhone(udp, "2004"), udp);
    // The caller holds the call up -d ms before its re-INVITE and BYE: Redis stops meanwhile.
    const calling = callWithSipp({ scenario: "uac-invite-auth-reinvite-expect-200-then-bye.xml", node: udp, caller: "2001", callee: "2004", extraArgs: ["-d", "1500"] });
    await pollUntil(async () => (await node.node.stateStore.listDialogs()).find((d) => d.dialled === "2004"), 5_000, "the dialog of the call to 2004 in Redis");
    await redis.pause();
    await untilHealth(node.node.stateStore, "unreachable");
    const caller = await calling;
    const hungUpBy = Date.now();
    ok(caller);
    ok(await callee.done);
    expect(heard(caller, "INVITE")).toEqual([407, 180, 200, 200]);
    expect(heard(caller, "BYE")).toEqual([200]);

    // Only Redis knows the call: the node keeps its BYE, and writes no record yet.
    expect(await metric("strowger_state_waiting_byes")).toMatch(/^strowger_state_waiting_byes 1$/m);
    // The dialog is in Redis again, and the call ends there.
    await redis.resume();
    await untilHealth(node.node.stateStore, "ready");
    const callId = headerValue(caller.messages[0]!, "Call-ID")!;
    const [record] = await node.recordsOf(callId, 1, 10_000);
    expect(record).toMatchObject({ disposition: "answered", caller: "2001", dialled: "2004" });
    expect(record!.endedAt).toBeLessThanOrEqual(hungUpBy);
    expect(record!.durationMs).toBeGreaterThanOrEqual(1_400);
    expect((await node.node.stateStore.listDialogs()).find((d) => d.callId === callId)).toBeUndefined();
    expect(await metric("strowger_state_waiting_byes")).toMatch(/^strowger_state_waiting_byes 0$/m);
  });
});

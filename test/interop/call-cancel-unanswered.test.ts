/**
 * A CANCEL the callee takes but never completes (RFC 3261 §9.1): "a UAC canceling a
 * request cannot rely on receiving a 487 (Request Terminated) response for the
 * original request, as an RFC 2543-compliant UAS will not generate such a response.
 * If there is no final response for the original request in 64*T1 seconds [...], the
 * client SHOULD then consider the original transaction cancelled". The node runs with
 * T1 = 50 ms (its smallest), so 64*T1 is 3.2 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOOPBACK_CONFIG } from "./support/in-process-node.js";
import { startCallNode, type CallNode } from "./support/call-node.js";
import { requestsIn, statusesFor } from "./support/sip-calls.js";
import { headerValue } from "./support/sip-text.js";
import type { SippRun } from "./support/sipp.js";
import { callWithSipp, password, registerPhone, startUas } from "./support/sipp-phone.js";
import { testDirectory } from "./support/test-directory.js";

const ok = (run: SippRun) => expect(run.code, run.summary).toBe(0);
const heard = (run: SippRun, method: string) => statusesFor(run.messages, method).filter((s, i, all) => s !== 100 && s !== all[i - 1]);

let node: CallNode;

beforeAll(async () => {
  const yaml = LOOPBACK_CONFIG + "  timers:\n    t1: 50\nmetrics:\n  enabled: false\nauth:\n  algorithms: [MD5, SHA-256]\n";
  node = await startCallNode({ yaml, directory: testDirectory(["2001", "2002"].map((extension) => ({ extension, password: password(extension) }))) });
});
afterAll(async () => {
  await node?.stop();
});

describe("a cancelled branch whose callee never sends 487", () => {
  it("SHOULD be taken as cancelled 64*T1 after the CANCEL (§9.1): the caller gets its 487, and the call a record 'cancelled'", async () => {
    const udp = node.endpoint("UDP");
    const callee = await startUas("uas-ring-expect-cancel-answer-without-487.xml", await registerPhone(udp, "2002"), udp);
    const started = Date.now();
    const caller = await callWithSipp({ scenario: "uac-invite-auth-cancel-after-180-expect-487.xml", node: udp, caller: "2001", callee: "2002" });
    const took = Date.now() - started;
    const uas = await callee.done;
    ok(caller);
    ok(uas);

    expect(heard(caller, "CANCEL")).toEqual([200]);
    expect(heard(caller, "INVITE")).toEqual([407, 180, 487]);
    expect(took).toBeGreaterThanOrEqual(64 * 50);
    // Nothing to acknowledge at the callee: it sent no final response.
    expect(requestsIn(uas.messages, "ACK")).toEqual([]);
    const [record] = await node.recordsOf(headerValue(caller.messages[0]!, "Call-ID")!);
    expect(record).toMatchObject({ disposition: "cancelled", dialled: "2002" });
  });
});

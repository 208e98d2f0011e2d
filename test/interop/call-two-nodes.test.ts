/**
 * A call across the two nodes of a pair on one real redis-server: the phone
 * registered through node A, the caller calls through node B, and hangs up through
 * node A (a phone that failed over to its second proxy). Record-Route names the
 * cluster (`;sg=NAME`), so either node routes the in-dialog requests, and the shared
 * store makes the BYE that ends the dialog write one call record, whichever node
 * sees it (src/pbx/cdr/call-recorder.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startPair, type CallNode } from "./support/call-node.js";
import { requestsIn, statusesFor } from "./support/sip-calls.js";
import { headerValue, headerValues } from "./support/sip-text.js";
import type { SippRun } from "./support/sipp.js";
import { callWithSipp, password, registerPhone, startUas } from "./support/sipp-phone.js";
import { testDirectory } from "./support/test-directory.js";

const ok = (run: SippRun) => expect(run.code, run.summary).toBe(0);
const heard = (run: SippRun, method: string) => statusesFor(run.messages, method).filter((s, i, all) => s !== 100 && s !== all[i - 1]);
/** The port of a Via's sent-by. */
const viaPort = (via: string | undefined) => Number(/^SIP\/2\.0\/\w+ [^:;\s]+:(\d+)/.exec(via ?? "")?.[1]);

let redis: RedisServer;
let a: CallNode;
let b: CallNode;

beforeAll(async () => {
  redis = await startRedisServer();
  const directory = testDirectory(["2001", "2002"].map((extension) => ({ extension, password: password(extension) })));
  ({ a, b } = await startPair({ directory, redisUrl: redis.url }));
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await redis?.stop();
});

describe("a call across the two nodes of a pair", () => {
  it("MUST reach a phone registered through the other node (UDP: straight to it), route the BYE through either node (§16.12, Record-Route of the cluster), and write one call record", async () => {
    const atA = a.endpoint("UDP");
    const atB = b.endpoint("UDP");
    const callee = await startUas("uas-answer-expect-invite-ack-bye-from-either-node.xml", await registerPhone(atA, "2002"), atA);
    const caller = await callWithSipp({
      scenario: "uac-invite-auth-expect-180-200-then-bye-at-other-node.xml",
      node: atB,
      caller: "2001",
      callee: "2002",
      extraArgs: ["-key", "other_ip", atA.address, "-key", "other_port", String(atA.port)],
    });
    const uas = await callee.done;
    ok(caller);
    ok(uas);

    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(heard(caller, "BYE")).toEqual([200]);
    const [invite] = requestsIn(uas.messages, "INVITE");
    const [ack] = requestsIn(uas.messages, "ACK");
    const [bye] = requestsIn(uas.messages, "BYE");
    // Node B sent the INVITE (and the ACK, which went to B) from its own socket: a UDP binding needs no detour through A.
    expect(viaPort(headerValue(invite!, "Via"))).toBe(atB.port);
    expect(viaPort(headerValue(ack!, "Via"))).toBe(atB.port);
    expect(headerValues(invite!, "Record-Route")).toEqual([expect.stringMatching(new RegExp(`^<sip:127\\.0\\.0\\.1:${atB.port};transport=udp;lr;sg=pair>$`))]);
    // The BYE came through node A, with B's Record-Route entry as its Route: A took it as its cluster's own.
    expect(viaPort(headerValue(bye!, "Via"))).toBe(atA.port);
    expect(headerValues(bye!, "Route")).toEqual([]);

    const callId = headerValue(caller.messages[0]!, "Call-ID")!;
    const records = await a.recordsOf(callId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ disposition: "answered", caller: "2001", dialled: "2002", node: "b" });
    // One store: node B reads the same single record, and no dialog is left.
    expect(await b.recordsOf(callId)).toHaveLength(1);
    expect((await b.node.stateStore.listDialogs()).filter((d) => d.callId === callId)).toEqual([]);
  });
});

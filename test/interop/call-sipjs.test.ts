/**
 * A browser softphone's call: SIP.js over WebSocket (RFC 7118), registered as 2001,
 * calls a sipp phone registered over UDP as 2002, through the node, and hangs up.
 * SIP.js answers the node's 407 itself; the call leaves on another transport than it
 * came in on, so the node record-routes both sockets (RFC 5658) and SIP.js's ACK and
 * BYE, sent on its WebSocket, find the phone through them.
 *
 * Node has no WebRTC: the media layer is a stand-in (support/sipjs-no-media.ts).
 *
 * The node keeps its default challenge order (SHA-256, then MD5): SIP.js 0.21
 * computes MD5 only and keeps the last WWW-/Proxy-Authenticate of a response (its
 * parser sets, not appends, those headers), so it answers the MD5 challenge. The
 * sipp phone registers with the test's SHA-256 digest (its 3PCC twin).
 */
import { Inviter, Registerer, SessionState, UserAgent, type Core } from "sip.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extensionPlan, startCallNode, type CallNode } from "./support/call-node.js";
import { LOOPBACK_CONFIG } from "./support/in-process-node.js";
import { requestsIn } from "./support/sip-calls.js";
import { headerValue, headerValues } from "./support/sip-text.js";
import { password, registerPhone, startUas } from "./support/sipp-phone.js";
import { noMedia } from "./support/sipjs-no-media.js";
import { startUserAgent, type TestUserAgent } from "./support/sipjs-user-agent.js";
import { TEST_REALM, testDirectory } from "./support/test-directory.js";
import { withTimeout } from "./support/wait.js";

let node: CallNode;
let agent: TestUserAgent;
let registerer: Registerer;

beforeAll(async () => {
  node = await startCallNode({ yaml: LOOPBACK_CONFIG + "metrics:\n  enabled: false\n", plan: extensionPlan(), directory: testDirectory(["2001", "2002"].map((extension) => ({ extension, password: password(extension) }))) });
  const ws = node.endpoint("WS");
  agent = await startUserAgent(`ws://${ws.address}:${ws.port}`, `sip:2001@${TEST_REALM}`, 5_000, { username: "2001", password: password("2001") });
  // The UA's configuration object is what SIP.js reads when it makes a session's handler.
  agent.ua.configuration.sessionDescriptionHandlerFactory = noMedia;
  registerer = new Registerer(agent.ua, { expires: 600 });
  const registered = new Promise<Core.IncomingResponse>((resolve, reject) => {
    registerer.register({ requestDelegate: { onAccept: resolve, onReject: (r) => reject(new Error(`REGISTER refused: ${r.message.statusCode}`)) } }).catch(reject);
  });
  await withTimeout(registered, 5_000, "the 200 to SIP.js's REGISTER");
});
afterAll(async () => {
  await registerer?.dispose();
  await agent?.stop();
  await node?.stop();
});

/** Resolves when the session reaches `state`; rejects if it ends first. */
function reaches(inviter: Inviter, state: SessionState, timeoutMs: number): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      const check = (now: SessionState) => {
        if (now === state) resolve();
        else if (now === SessionState.Terminated) reject(new Error(`the session ended before it was ${state}`));
      };
      inviter.stateChange.addListener(check);
      check(inviter.state);
    }),
    timeoutMs,
    `the SIP.js session to be ${state}`,
  );
}

describe("SIP.js over WebSocket calls a sipp phone on UDP", () => {
  it("MUST establish the call through the node (407 answered by SIP.js, RFC 5658 double Record-Route) and carry SIP.js's BYE to the phone", async () => {
    const udp = node.endpoint("UDP");
    const callee = await startUas("uas-answer-expect-invite-ack-bye.xml", await registerPhone(udp, "2002", { digest: "twin" }), udp);
    const target = UserAgent.makeURI(`sip:2002@${TEST_REALM}`)!;
    const inviter = new Inviter(agent.ua, target);
    const established = reaches(inviter, SessionState.Established, 10_000);
    await inviter.invite();
    await established;

    const terminated = reaches(inviter, SessionState.Terminated, 5_000);
    const byeAnswered = new Promise<number | undefined>((resolve) => {
      void inviter.bye({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode), onReject: (r) => resolve(r.message.statusCode) } });
    });
    expect(await withTimeout(byeAnswered, 5_000, "the response to SIP.js's BYE")).toBe(200);
    await terminated;
    const uas = await callee.done;
    expect(uas.code, uas.summary).toBe(0);

    const [invite] = requestsIn(uas.messages, "INVITE");
    const recordRoute = headerValues(invite!, "Record-Route").flatMap((v) => v.split(/,\s*(?=<)/));
    expect(recordRoute).toHaveLength(2);
    expect(recordRoute[0]).toMatch(/;transport=udp;lr[;>]/);
    expect(recordRoute[1]).toMatch(/;transport=ws;lr[;>]/);
    expect(headerValue(invite!, "From")).toContain(`sip:2001@${TEST_REALM}`);
    expect(headerValues(invite!, "Proxy-Authorization")).toEqual([]);
    expect(invite!.text).toContain("m=audio 9 RTP/AVP 0");
    expect(requestsIn(uas.messages, "ACK")).toHaveLength(1);
    expect(requestsIn(uas.messages, "BYE")).toHaveLength(1);

    const callId = headerValue(invite!, "Call-ID")!;
    const [record] = await node.recordsOf(callId);
    expect(record).toMatchObject({ disposition: "answered", caller: "2001", dialled: "2002" });
  });
});

/**
 * A phone whose connection the other node holds (issue: "a phone whose connection
 * (TCP, TLS, WebSocket) is held by the other node is reached through that node"):
 * SIP.js registers over WebSocket to node A; a sipp caller calls it through node B.
 * B cannot open a WebSocket to a browser, so it sends the INVITE to A with a Route
 * naming the flow (`sgflow`); A delivers it over the flow and record-routes an entry
 * pinned to itself, so the caller's BYE, sent to B, goes on to A and down the flow.
 */
import { Registerer, type Core, type Invitation } from "sip.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { CALL_CONFIG, startCallNode, type CallNode } from "./support/call-node.js";
import { LOOPBACK_CONFIG } from "./support/in-process-node.js";
import { statusesFor } from "./support/sip-calls.js";
import { noMedia } from "./support/sipjs-no-media.js";
import { callWithSipp, password } from "./support/sipp-phone.js";
import { startUserAgent, type TestUserAgent } from "./support/sipjs-user-agent.js";
import { TEST_REALM, testDirectory } from "./support/test-directory.js";
import { withTimeout } from "./support/wait.js";

let redis: RedisServer;
let a: CallNode;
let b: CallNode;
let phone: TestUserAgent;
let registerer: Registerer;
const invitations: Invitation[] = [];
const ended: Array<() => void> = [];

beforeAll(async () => {
  redis = await startRedisServer();
  const directory = testDirectory(["2001", "2002"].map((extension) => ({ extension, password: password(extension) })));
  // A challenges SHA-256 then MD5 (SIP.js answers the last challenge, MD5); B lists
  // MD5 first for sipp. Each names the other as its peer.
  a = await startCallNode({
    yaml: `${LOOPBACK_CONFIG}metrics:\n  enabled: false\nnode:\n  name: a\ncluster:\n  name: pair\n  peers:\n    b: { address: 127.0.0.1, port: 9 }\n`,
    directory,
    redisUrl: redis.url,
  });
  const atA = a.endpoint("UDP");
  b = await startCallNode({
    yaml: `${CALL_CONFIG}node:\n  name: b\ncluster:\n  name: pair\n  peers:\n    a: { address: 127.0.0.1, port: ${atA.port} }\n`,
    directory,
    redisUrl: redis.url,
  });
  const ws = a.endpoint("WS");
  phone = await startUserAgent(`ws://${ws.address}:${ws.port}`, `sip:2002@${TEST_REALM}`, 5_000, { username: "2002", password: password("2002") });
  phone.ua.configuration.sessionDescriptionHandlerFactory = noMedia;
  phone.ua.delegate = {
    onInvite: (invitation) => {
      invitations.push(invitation);
      invitation.stateChange.addListener((state) => {
        if (state === "Terminated") for (const done of ended.splice(0)) done();
      });
      void invitation.accept();
    },
  };
  registerer = new Registerer(phone.ua, { expires: 600 });
  const registered = new Promise<Core.IncomingResponse>((resolve, reject) => {
    registerer.register({ requestDelegate: { onAccept: resolve, onReject: (r) => reject(new Error(`REGISTER refused: ${r.message.statusCode}`)) } }).catch(reject);
  });
  await withTimeout(registered, 5_000, "the 200 to SIP.js's REGISTER");
});
afterAll(async () => {
  // Every part is stopped even when one of them fails to, so no redis-server outlives
  // the suite. The phone unregisters before its transport goes, not at the same time.
  await Promise.allSettled([registerer && withTimeout(registerer.dispose(), 5_000, "SIP.js to unregister")]);
  await Promise.allSettled([phone?.stop()]);
  await Promise.allSettled([b?.stop(), a?.stop()]);
  await redis?.stop();
});

describe("a phone whose WebSocket the other node holds", () => {
  it("MUST be reached through that node, and the caller's BYE MUST follow (Record-Route pinned to the flow's node)", async () => {
    const [binding] = await b.node.stateStore.getBindings(`sip:2002@${TEST_REALM}`);
    expect(binding).toMatchObject({ node: "a", source: { transport: "WS" } });
    const hungUp = new Promise<void>((resolve) => ended.push(resolve));

    const caller = await callWithSipp({ scenario: "uac-invite-auth-expect-180-200-then-bye.xml", node: b.endpoint("UDP"), caller: "2001", callee: "2002" });

    expect(caller.code, caller.summary).toBe(0);
    expect(statusesFor(caller.messages, "INVITE")).toContain(200);
    expect(statusesFor(caller.messages, "BYE")).toContain(200);
    await withTimeout(hungUp, 5_000, "SIP.js to see the BYE");
    const recordRoute = invitations[0]!.request.getHeaders("record-route").join(",");
    // Nearest the phone: node A's entry, pinned to A and naming the WebSocket flow.
    expect(recordRoute).toMatch(/sgnode=a;sgflow=WS/);
  });
});

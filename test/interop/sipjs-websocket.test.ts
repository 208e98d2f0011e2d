/**
 * SIP.js, the browser softphone library, talks to the node over its WebSocket
 * listener (RFC 7118), end to end: the handshake with the "sip" subprotocol, a
 * request framed as a WebSocket message, and the response back on the same socket.
 */
import { Registerer, UserAgent, type Core } from "sip.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "./support/in-process-node.js";
import { startUserAgent, type TestUserAgent } from "./support/sipjs-user-agent.js";
import { headerParam } from "./support/sip-text.js";
import { testDirectory } from "./support/test-directory.js";
import { withTimeout } from "./support/wait.js";

const PASSWORD = "correct horse battery";
let node: TestNode;
let agent: TestUserAgent;
let host: string;

beforeAll(async () => {
  node = await startTestNode({ directory: testDirectory([{ extension: "2001", password: PASSWORD }]) });
  const ws = node.endpoint("WS");
  host = `${ws.address}:${ws.port}`;
  agent = await startUserAgent(`ws://${host}`, "sip:alice@strowger.local");
});
afterAll(async () => {
  await agent?.stop();
  await node?.stop();
});

function uri(text: string) {
  const parsed = UserAgent.makeURI(text);
  if (!parsed) throw new Error(`not a SIP URI: ${text}`);
  return parsed;
}

describe("SIP.js over WebSocket", () => {
  it("SHOULD get 200 with Allow for an OPTIONS (RFC 3261 §11.2), and the node MUST add received to a Via whose host is not the source (§18.2.1)", async () => {
    const wsIn = node.node.counters().messagesIn.WS;
    const core = agent.ua.userAgentCore;
    const options = core.makeOutgoingRequestMessage("OPTIONS", uri(`sip:${host}`), uri("sip:alice@strowger.local"), uri(`sip:${host}`), {});

    const response: Core.IncomingResponse = await agent.request(options);

    const message = response.message;
    expect(message.statusCode).toBe(200);
    expect(message.getHeader("allow")).toMatch(/\bOPTIONS\b/);
    // The 200 echoes the Via the node read: SIP.js writes the transport it connected
    // with (WS) and a made-up "*.invalid" host, so the node stamps the real source.
    const via = message.getHeader("via") ?? "";
    expect(via).toMatch(/^SIP\/2\.0\/WS [a-z0-9]+\.invalid;/i);
    expect(headerParam(via, "received")).toBe("127.0.0.1");
    expect(node.node.counters().messagesIn.WS).toBeGreaterThan(wsIn);
  });

  it("MUST register over WebSocket with digest credentials (RFC 3261 §10, §22; RFC 7118 §5), the binding keeping its flow", async () => {
    const registered = await startUserAgent(`ws://${host}`, "sip:2001@strowger.local", 5_000, { username: "2001", password: PASSWORD });
    const registerer = new Registerer(registered.ua, { expires: 600 });
    try {
      const accepted = new Promise<Core.IncomingResponse>((resolve, reject) => {
        registerer.register({ requestDelegate: { onAccept: resolve, onReject: (r) => reject(new Error(`refused: ${r.message.statusCode}`)) } }).catch(reject);
      });
      const response = await withTimeout(accepted, 5_000, "the 200 to REGISTER");
      expect(response.message.statusCode).toBe(200);
      const bindings = await node.node.stateStore.getBindings("sip:2001@strowger.local");
      expect(bindings).toHaveLength(1);
      expect(bindings[0]!.source.transport).toBe("WS");
      expect(bindings[0]!.source.connectionId).toBeDefined();
    } finally {
      await registerer.dispose();
      await registered.stop();
    }
  });

  it("MUST NOT register with a wrong password: challenged again (RFC 3261 §22.4)", async () => {
    const wrong = await startUserAgent(`ws://${host}`, "sip:2001@strowger.local", 5_000, { username: "2001", password: "not-the-password" });
    const registerer = new Registerer(wrong.ua);
    try {
      const rejected = new Promise<Core.IncomingResponse>((resolve, reject) => {
        registerer.register({ requestDelegate: { onReject: resolve, onAccept: () => reject(new Error("REGISTER was accepted")) } }).catch(reject);
      });
      const response = await withTimeout(rejected, 5_000, "the refusal of REGISTER");
      expect(response.message.statusCode).toBe(401);
    } finally {
      await registerer.dispose();
      await wrong.stop();
    }
  });
});

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
import { withTimeout } from "./support/wait.js";

let node: TestNode;
let agent: TestUserAgent;
let host: string;

beforeAll(async () => {
  node = await startTestNode();
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

  it("gets 501 for a REGISTER from SIP.js's Registerer (the node has no registrar yet)", async () => {
    // A later issue adds the registrar; this expectation then becomes 401, then 200.
    const registerer = new Registerer(agent.ua);
    try {
      const rejected = new Promise<Core.IncomingResponse>((resolve, reject) => {
        registerer
          .register({ requestDelegate: { onReject: resolve, onAccept: () => reject(new Error("REGISTER was accepted")) } })
          .catch(reject);
      });
      const response = await withTimeout(rejected, 5_000, "the response to REGISTER");
      expect(response.message.statusCode).toBe(501);
      expect(response.message.getHeader("allow")).toBeDefined();
      expect(response.message.getHeader("via")).toMatch(/^SIP\/2\.0\/WS /);
    } finally {
      await registerer.dispose();
    }
  });
});

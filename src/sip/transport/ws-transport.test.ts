import { once } from "node:events";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createResponse, uriHost } from "../message/index.js";
import { Harness, LOOPBACKS, Queue, requestText, selfSignedCertificate, sendResponse } from "./test-support.js";

/** A WebSocket client with what it receives queued as text. */
async function client(url: string, protocols: string[], ca?: Buffer): Promise<{ ws: WebSocket; received: Queue<string> }> {
  const ws = new WebSocket(url, protocols, { ca });
  const received = new Queue<string>();
  ws.on("message", (data) => received.push(data.toString()));
  await once(ws, "open");
  return { ws, received };
}

/** Why a handshake failed, as the client reports it. */
async function refusal(url: string, protocols: string[]): Promise<string> {
  const [err] = (await once(new WebSocket(url, protocols), "error")) as [Error];
  return err.message;
}

let cert: Buffer;
let key: Buffer;
beforeAll(async () => {
  ({ key, cert } = await selfSignedCertificate());
});

describe.each(LOOPBACKS)("WebSocket transport on %s (RFC 7118)", (address) => {
  let harness: Harness;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await harness?.layer.close();
  });

  const start = async (): Promise<string> => {
    harness = await Harness.start({
      ws: { addresses: [address], port: 0 },
      wss: { addresses: [address], port: 0, key, cert },
    });
    return `ws://${uriHost(address)}:${harness.port("WS", address)}`;
  };
  const open = async (url: string, ca?: Buffer): Promise<{ ws: WebSocket; received: Queue<string> }> => {
    const c = await client(url, ["sip"], ca);
    sockets.push(c.ws);
    return c;
  };
  const via = (branch: string): string => `SIP/2.0/WS df7jal23ls0d.invalid;rport;branch=z9hG4bK${branch}`;

  it("MUST accept a handshake offering the sip subprotocol, take one SIP message per WebSocket message, and answer over it", async () => {
    const { ws, received } = await open(await start());
    expect(ws.protocol).toBe("sip");
    ws.send(requestText(via("w1")));
    const { message, source } = await harness.nextRequest();
    expect(source).toMatchObject({ transport: "WS", address, connectionId: expect.any(String) });
    expect(message.headers.get("Via")).toBe(`${via("w1").replace(";rport;", `;rport=${source.port};`)};received=${address}`);
    await sendResponse(harness.layer, createResponse(message, 200), source);
    expect(await received.next()).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(harness.layer.counters()).toMatchObject({ messagesIn: { WS: 1 }, messagesOut: { WS: 1 } });
  });

  it("MUST refuse a handshake without the sip subprotocol", async () => {
    const url = await start();
    await expect(refusal(url, [])).resolves.toBe("Unexpected server response: 400");
    await expect(refusal(url, ["chat"])).resolves.toBe("Unexpected server response: 400");
    expect(harness.layer.counters().connections).toBe(0);
  });

  it("MUST answer a double-CRLF keep-alive message with a CRLF (RFC 5626 §4.4.1, as SIP.js sends it)", async () => {
    const { ws, received } = await open(await start());
    ws.send("\r\n\r\n");
    expect(await received.next()).toBe("\r\n");
  });

  it("MUST NOT dial a WebSocket client: a response whose connection is not open is rejected", async () => {
    const { ws } = await open(await start());
    ws.send(requestText(via("w2")));
    const { message, source } = await harness.nextRequest();
    await expect(
      sendResponse(harness.layer, createResponse(message, 200), { ...source, connectionId: "a-closed-flow" }),
    ).rejects.toMatchObject({ code: "SIP_TRANSPORT_CONNECTION_GONE" });
  });

  it("MUST hand a malformed WebSocket message to onParseError and keep the connection", async () => {
    const { ws, received } = await open(await start());
    ws.send("INVITE sip:x SIP/2.0\r\n\r\n");
    await expect(harness.parseErrors.next()).resolves.toMatchObject({ source: { transport: "WS" } });
    ws.send("\r\n\r\n");
    expect(await received.next()).toBe("\r\n");
  });

  it("MUST close a connection that sends a message over the size limit", async () => {
    const { ws } = await open(await start());
    ws.send("x".repeat(70_000));
    await once(ws, "close");
    expect(harness.layer.counters().dropped).toBe(1);
  });

  it("MUST carry SIP over secure WebSocket (WSS) with the Via transport WSS", async () => {
    await start();
    const { ws, received } = await open(`wss://${uriHost(address)}:${harness.port("WSS", address)}`, cert);
    ws.send(requestText(via("w3").replace("/WS ", "/WSS ")));
    const { message, source } = await harness.nextRequest();
    expect(source.transport).toBe("WSS");
    expect(message.via.transport).toBe("WSS");
    await sendResponse(harness.layer, createResponse(message, 200), source);
    expect(await received.next()).toMatch(/^SIP\/2\.0 200 OK/);
  });
});

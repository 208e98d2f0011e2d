import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createResponse, uriHost } from "../message/index.js";
import { Harness, LOOPBACKS, request, requestText, selfSignedCertificate, StreamPeer, sendResponse } from "./test-support.js";

let key: Buffer;
let cert: Buffer;
beforeAll(async () => {
  ({ key, cert } = await selfSignedCertificate());
});

describe.each(LOOPBACKS)("TLS transport on %s", (address) => {
  const harnesses: Harness[] = [];
  const peers: StreamPeer[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.socket.destroy();
    await Promise.all(harnesses.splice(0).map((h) => h.layer.close()));
  });

  const start = async (trust?: Buffer): Promise<Harness> => {
    const harness = await Harness.start({ tls: { addresses: [address], port: 0, key, cert, ca: trust } });
    harnesses.push(harness);
    return harness;
  };

  it("MUST take SIP over TLS and send the response over the same connection (§18.2.2)", async () => {
    const server = await start();
    const peer = await StreamPeer.tls(address, server.port("TLS", address), cert);
    peers.push(peer);
    await peer.write(requestText("SIP/2.0/TLS phone.example.com;branch=z9hG4bKs1"));
    const { message, source } = await server.nextRequest();
    expect(source).toMatchObject({ transport: "TLS", address, connectionId: expect.any(String) });
    expect(message.via.params).toContainEqual({ name: "received", value: address });
    await sendResponse(server.layer, createResponse(message, 200), source);
    expect(await peer.waitFor((t) => t.includes("\r\n\r\n"))).toMatch(/^SIP\/2\.0 200 OK\r\n/);
  });

  it("MUST answer a keep-alive ping with a pong over TLS (RFC 5626 §4.4.1)", async () => {
    const server = await start();
    const peer = await StreamPeer.tls(address, server.port("TLS", address), cert);
    peers.push(peer);
    await peer.write("\r\n\r\n");
    expect(await peer.waitFor((t) => t.length >= 2)).toBe("\r\n");
  });

  it("MUST open a TLS connection to send a request, verifying the peer's certificate, and take the response back over it", async () => {
    const server = await start();
    const client = await start(cert);
    const via = `SIP/2.0/TLS ${uriHost(address)}:${client.port("TLS", address)};branch=z9hG4bKs2`;
    const destination = { transport: "TLS", address, port: server.port("TLS", address) } as const;
    await expect(client.layer.sendRequest(request(via), destination)).resolves.toBe("TLS");
    const { message, source } = await server.nextRequest();
    await sendResponse(server.layer, createResponse(message, 202), source);
    const { message: response } = await client.messages.next();
    expect(response.kind === "response" && response.status).toBe(202);
    expect(client.layer.counters()).toMatchObject({ messagesOut: { TLS: 1 }, messagesIn: { TLS: 1 }, connections: 1 });
  });

  it("MUST reject a request when the peer's certificate is not trusted", async () => {
    const server = await start();
    const client = await start();
    const destination = { transport: "TLS", address, port: server.port("TLS", address) } as const;
    await expect(client.layer.sendRequest(request("SIP/2.0/TLS a.example;branch=z9hG4bKs3"), destination)).rejects.toMatchObject({
      code: "SIP_TRANSPORT_CONNECT_FAILED",
    });
  });
});

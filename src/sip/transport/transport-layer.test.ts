import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createResponse, uriHost } from "../message/index.js";
import { Harness, LOOPBACKS, request, requestText, selfSignedCertificate, StreamPeer, UdpPeer, sendResponse } from "./test-support.js";
import { TransportLayer } from "./transport-layer.js";

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.layer.close()));
});
const start = async (...args: Parameters<typeof Harness.start>): Promise<Harness> => {
  const harness = await Harness.start(...args);
  harnesses.push(harness);
  return harness;
};

describe.each(LOOPBACKS)("RFC 3261 §18.1.1 UDP to TCP switch on %s", (address) => {
  /** A remote element listening for UDP and, when `tcp`, TCP on the same port number. */
  const remote = async (tcp: boolean): Promise<{ harness: Harness; port: number }> => {
    if (!tcp) {
      const harness = await start({ udp: { addresses: [address], port: 0 } });
      return { harness, port: harness.port("UDP", address) };
    }
    const probe = await start({ tcp: { addresses: [address], port: 0 } });
    const port = probe.port("TCP", address);
    await probe.layer.close();
    return { harness: await start({ udp: { addresses: [address], port }, tcp: { addresses: [address], port } }), port };
  };
  const local = (): Promise<Harness> => start({ udp: { addresses: [address], port: 0 }, tcp: { addresses: [address], port: 0 } });
  const viaOf = (h: Harness, branch: string): string => `SIP/2.0/UDP ${uriHost(address)}:${h.port("UDP", address)};branch=${branch}`;
  const big = "a".repeat(1400);

  it("MUST send a request larger than 1300 bytes over TCP and rewrite the top Via transport", async () => {
    const { harness: far, port } = await remote(true);
    const near = await local();
    const req = request(viaOf(near, "z9hG4bKbig1"), { body: big });
    await expect(near.layer.sendRequest(req, { transport: "UDP", address, port })).resolves.toBe("TCP");
    const { message, source } = await far.nextRequest();
    expect(source.transport).toBe("TCP");
    // The sent-by follows to this node's TCP listener, so a response can reconnect to it.
    expect(message.via).toMatchObject({ transport: "TCP", port: near.port("TCP", address), branch: "z9hG4bKbig1" });
    expect(req.via.transport).toBe("TCP");

    await sendResponse(far.layer, createResponse(message, 200), source);
    const { message: response, source: back } = await near.messages.next();
    expect(response.kind === "response" && response.status).toBe(200);
    expect(back.transport).toBe("TCP");
  });

  it("MUST keep a request of 1300 bytes or less on UDP", async () => {
    const { harness: far, port } = await remote(true);
    const near = await local();
    const req = request(viaOf(near, "z9hG4bKsmall"));
    await expect(near.layer.sendRequest(req, { transport: "UDP", address, port })).resolves.toBe("UDP");
    await expect(far.nextRequest()).resolves.toMatchObject({ source: { transport: "UDP" } });
  });

  it("SHOULD retry over UDP, with the Via restored, when the TCP connection is refused", async () => {
    const { harness: far, port } = await remote(false);
    const near = await local();
    const req = request(viaOf(near, "z9hG4bKbig2"), { body: big });
    await expect(near.layer.sendRequest(req, { transport: "UDP", address, port })).resolves.toBe("UDP");
    const { message, source } = await far.nextRequest();
    expect(source.transport).toBe("UDP");
    expect(message.via).toMatchObject({ transport: "UDP", port: near.port("UDP", address) });
    expect(message.body.length).toBe(big.length);
  });

  it("honours a configured UDP size limit", async () => {
    const { harness: far, port } = await remote(true);
    const near = await start({ udp: { addresses: [address], port: 0 }, tcp: { addresses: [address], port: 0 }, udpMaxRequestBytes: 200 });
    await expect(near.layer.sendRequest(request(viaOf(near, "z9hG4bKmid")), { transport: "UDP", address, port })).resolves.toBe("TCP");
    await expect(far.nextRequest()).resolves.toMatchObject({ source: { transport: "TCP" } });
  });
});

describe("TransportLayer", () => {
  it("MUST listen on every address given, and name the listener of the right family for the core's Via", async () => {
    const harness = await start({ udp: { addresses: [...LOOPBACKS], port: 0 }, tcp: { addresses: [...LOOPBACKS], port: 0 } });
    expect(harness.layer.listening().map((l) => `${l.transport} ${l.address}`)).toEqual([
      "UDP 127.0.0.1",
      "UDP ::1",
      "TCP 127.0.0.1",
      "TCP ::1",
    ]);
    expect(harness.layer.localFor({ transport: "TCP", address: "::1", port: 5060 })).toEqual({
      transport: "TCP",
      address: "::1",
      port: harness.port("TCP", "::1"),
    });
    expect(harness.layer.localFor({ transport: "TLS", address: "::1", port: 5061 })).toBeUndefined();
  });

  it("MUST close every listener and connection on close(), and reject sends afterwards", async () => {
    const harness = await start({ udp: { addresses: ["127.0.0.1"], port: 0 }, tcp: { addresses: ["127.0.0.1"], port: 0 } });
    const peer = await StreamPeer.tcp("127.0.0.1", harness.port("TCP", "127.0.0.1"));
    await peer.write(requestText("SIP/2.0/TCP a.example;branch=z9hG4bKc1"));
    await harness.nextRequest();
    expect(harness.layer.counters().connections).toBe(1);
    await harness.layer.close();
    await peer.closed;
    expect(harness.layer.counters().connections).toBe(0);
    await expect(
      harness.layer.sendRequest(request("SIP/2.0/UDP a.example;branch=z9hG4bKc2"), { transport: "UDP", address: "127.0.0.1", port: 9 }),
    ).rejects.toMatchObject({ code: "SIP_TRANSPORT_CLOSED" });
    // A response's failure is told after sendResponse returns, never inside it.
    const source = { transport: "UDP" as const, address: "127.0.0.1", port: 9, localAddress: "127.0.0.1", localPort: 9 };
    const told: unknown[] = [];
    harness.layer.sendResponse({ data: Buffer.from("SIP/2.0 200 OK\r\n\r\n"), target: source }, (error) => told.push(error));
    expect(told).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(told).toMatchObject([{ code: "SIP_TRANSPORT_CLOSED" }]);
  });

  it("MUST fail to start with an error that says what to do when a port is taken, closing what it opened", async () => {
    const holder = await UdpPeer.open("127.0.0.1");
    try {
      const layer = new TransportLayer({ tcp: { addresses: ["127.0.0.1"], port: 0 }, udp: { addresses: ["127.0.0.1"], port: holder.port } });
      const failure = layer.start();
      await expect(failure).rejects.toMatchObject({ code: "SIP_TRANSPORT_LISTEN_FAILED" });
      await expect(failure).rejects.toThrow(/EADDRINUSE.*free the port or change the udp port/);
      expect(layer.listening()).toEqual([]);
    } finally {
      await holder.close();
    }
  });

  it("MUST read the TLS key and certificate from PEM files, and say which file it cannot read", async () => {
    const { key, cert } = await selfSignedCertificate();
    const dir = await mkdtemp(join(tmpdir(), "strowger-pem-"));
    try {
      await writeFile(join(dir, "key.pem"), key);
      await writeFile(join(dir, "cert.pem"), cert);
      const tls = { addresses: ["127.0.0.1"], port: 0, key: join(dir, "key.pem"), cert: join(dir, "cert.pem") };
      const harness = await start({ tls });
      const peer = await StreamPeer.tls("127.0.0.1", harness.port("TLS", "127.0.0.1"), cert);
      await peer.write(requestText("SIP/2.0/TLS a.example;branch=z9hG4bKp1"));
      await expect(harness.nextRequest()).resolves.toMatchObject({ source: { transport: "TLS" } });
      peer.socket.destroy();
      const missing = new TransportLayer({ tls: { ...tls, key: join(dir, "nope.pem") } });
      await expect(missing.start()).rejects.toThrow(/TLS key file .*nope\.pem \(ENOENT\): check the path/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("MUST drop and count what arrives before the owner set its handlers, without throwing", async () => {
    const layer = new TransportLayer({ tcp: { addresses: ["127.0.0.1"], port: 0 } });
    await layer.start();
    try {
      const peer = await StreamPeer.tcp("127.0.0.1", layer.listening()[0]!.port);
      // The pong comes after the request before it has been read.
      await peer.write(`${requestText("SIP/2.0/TCP a.example;branch=z9hG4bKd1")}\r\n\r\n`);
      await peer.waitFor((t) => t === "\r\n");
      expect(layer.counters()).toMatchObject({ dropped: 1, messagesIn: { TCP: 0 }, connections: 1 });
    } finally {
      await layer.close();
    }
  });
});

import { readdir, readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createResponse, parseMessage, uriHost } from "../message/index.js";
import { Harness, LOOPBACKS, request, requestText, UdpPeer, sendResponse } from "./test-support.js";

const TORTURE = new URL("../../../../shared/testdata/rfc4475/", import.meta.url);

describe.each(LOOPBACKS)("UDP transport on %s", (address) => {
  let harness: Harness;
  let peer: UdpPeer;
  afterEach(async () => {
    await harness?.layer.close();
    await peer?.close();
  });

  const start = async (): Promise<number> => {
    harness = await Harness.start({ udp: { addresses: [address], port: 0 } });
    peer = await UdpPeer.open(address);
    return harness.port("UDP", address);
  };

  it("MUST stamp received and rport on a request, and send the response to them from the port it arrived on", async () => {
    const port = await start();
    await peer.send(requestText("SIP/2.0/UDP phone.example.com:5999;rport;branch=z9hG4bKu1"), port);
    const { message, source } = await harness.nextRequest();
    expect(source).toMatchObject({ transport: "UDP", address, port: peer.port, localAddress: address, localPort: port });
    expect(message.headers.get("Via")).toBe(`SIP/2.0/UDP phone.example.com:5999;rport=${peer.port};branch=z9hG4bKu1;received=${address}`);

    await sendResponse(harness.layer, createResponse(message, 200), source);
    const { data, from } = await peer.datagrams.next();
    expect(from.port).toBe(port);
    const response = parseMessage(data);
    expect(response.kind === "response" && response.status).toBe(200);
    expect(response.via.params).toContainEqual({ name: "rport", value: String(peer.port) });
  });

  it("MUST send the response to received and the sent-by port when the request had no rport", async () => {
    const port = await start();
    const target = await UdpPeer.open(address);
    try {
      await peer.send(requestText(`SIP/2.0/UDP other.example.com:${target.port};branch=z9hG4bKu2`), port);
      const { message, source } = await harness.nextRequest();
      expect(message.via.params).toContainEqual({ name: "received", value: address });
      await sendResponse(harness.layer, createResponse(message, 486), source);
      const { data } = await target.datagrams.next();
      expect(data.toString()).toMatch(/^SIP\/2\.0 486 /);
    } finally {
      await target.close();
    }
  });

  it("MUST send a request to its destination and report UDP", async () => {
    await start();
    const req = request(`SIP/2.0/UDP ${uriHost(address)}:${harness.port("UDP", address)};branch=z9hG4bKu3`);
    await expect(harness.layer.sendRequest(req, { transport: "UDP", address, port: peer.port })).resolves.toBe("UDP");
    const { data, from } = await peer.datagrams.next();
    expect(from.port).toBe(harness.port("UDP", address));
    expect(data.toString()).toContain("branch=z9hG4bKu3");
    expect(harness.layer.counters().messagesOut.UDP).toBe(1);
  });

  it("MUST hand an arriving response up unchanged (§18.1.2)", async () => {
    const port = await start();
    const text = requestText("SIP/2.0/UDP far.example.com;rport;branch=z9hG4bKu4").replace(/^OPTIONS sip:bob@example.com SIP\/2.0/, "SIP/2.0 200 OK");
    await peer.send(text, port);
    const { message } = await harness.messages.next();
    expect(message.kind).toBe("response");
    expect(message.headers.get("Via")).toBe("SIP/2.0/UDP far.example.com;rport;branch=z9hG4bKu4");
  });

  it("MUST hand a malformed datagram to onParseError with what is needed for a 400, and keep serving", async () => {
    const port = await start();
    await peer.send(requestText("SIP/2.0/UDP a.example;branch=z9hG4bKu5").replace("CSeq: 1 OPTIONS", "CSeq: x OPTIONS"), port);
    const { error, source } = await harness.parseErrors.next();
    expect(error.status).toBe(400);
    expect(error.partial?.method).toBe("OPTIONS");
    expect(source).toMatchObject({ transport: "UDP", address, port: peer.port });

    await peer.send(Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), port); // a STUN header
    await expect(harness.parseErrors.next()).resolves.toMatchObject({ error: { code: "SIP_NO_HEADER_END" } });
    await peer.send("\r\n\r\n", port); // a keep-alive: ignored, neither message nor error
    await peer.send(requestText("SIP/2.0/UDP a.example;branch=z9hG4bKu6"), port);
    await expect(harness.nextRequest()).resolves.toMatchObject({ message: { method: "OPTIONS" } });
    expect(harness.parseErrors.queued).toBe(0);
    expect(harness.layer.counters()).toMatchObject({ malformed: 2, dropped: 0, messagesIn: { UDP: 1 } });
  });

  it("MUST NOT throw on any RFC 4475 torture message, answering each with a message or a parse error", async () => {
    const port = await start();
    const files = (await readdir(TORTURE)).filter((f) => f.endsWith(".dat"));
    for (const file of files) await peer.send(await readFile(new URL(file, TORTURE)), port);
    for (let seen = 0; seen < files.length; seen++) await harness.arrivals.next();
    const counters = harness.layer.counters();
    expect(counters.messagesIn.UDP + counters.malformed).toBe(files.length);
  });
});

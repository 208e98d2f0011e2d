import { readdir, readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createResponse, uriHost } from "../message/index.js";
import type { TransportOptions } from "./transport-options.js";
import { closedPort, Harness, LOOPBACKS, request, requestText, StreamPeer, TcpServerPeer, sendResponse } from "./test-support.js";

const TORTURE = new URL("../../../../shared/testdata/rfc4475/", import.meta.url);
const torture = (name: string): Promise<Buffer> => readFile(new URL(name, TORTURE));

describe.each(LOOPBACKS)("TCP transport on %s", (address) => {
  let harness: Harness;
  const peers: StreamPeer[] = [];
  const servers: TcpServerPeer[] = [];
  afterEach(async () => {
    await harness?.layer.close();
    for (const peer of peers.splice(0)) peer.socket.destroy();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  const start = async (options: Partial<TransportOptions> = {}): Promise<number> => {
    harness = await Harness.start({ tcp: { addresses: [address], port: 0 }, ...options });
    return harness.port("TCP", address);
  };
  const connect = async (port: number): Promise<StreamPeer> => {
    const peer = await StreamPeer.tcp(address, port);
    peers.push(peer);
    return peer;
  };
  const server = async (): Promise<TcpServerPeer> => {
    const peer = await TcpServerPeer.open(address);
    servers.push(peer);
    return peer;
  };
  const via = (branch: string): string => `SIP/2.0/TCP phone.example.com:5999;branch=z9hG4bK${branch}`;

  it("MUST frame a message split across writes and several messages in one write (§18.3)", async () => {
    const peer = await connect(await start());
    const one = requestText(via("t1"), { body: "v=0\r\n" });
    const two = requestText(via("t2"));
    await peer.write(one.slice(0, 40));
    await peer.write(one.slice(40, -3));
    await peer.write(one.slice(-3) + two + two.replace("z9hG4bKt2", "z9hG4bKt3"));
    const branches = [];
    for (let i = 0; i < 3; i++) branches.push((await harness.nextRequest()).message.via.branch);
    expect(branches).toEqual(["z9hG4bKt1", "z9hG4bKt2", "z9hG4bKt3"]);
  });

  it("MUST answer a double-CRLF keep-alive with a single CRLF pong (RFC 5626 §4.4.1)", async () => {
    const peer = await connect(await start());
    await peer.write("\r\n\r\n");
    expect(await peer.waitFor((t) => t.length >= 2)).toBe("\r\n");
    await peer.write(requestText(via("t4")));
    await expect(harness.nextRequest()).resolves.toBeDefined();
  });

  it("MUST close the connection when Content-Length is invalid (RFC 4475 ncl over a stream), counting it dropped", async () => {
    const peer = await connect(await start());
    await peer.write(await torture("ncl.dat"));
    await peer.closed;
    expect(harness.layer.counters()).toMatchObject({ dropped: 1, malformed: 0, connections: 0 });
  });

  it("MUST close the connection when Content-Length is missing or stated twice (mcl01)", async () => {
    const port = await start();
    const missing = await connect(port);
    await missing.write(requestText(via("t5")).replace("Content-Length: 0\r\n", ""));
    const twice = await connect(port);
    await twice.write(await torture("mcl01.dat"));
    await Promise.all([missing.closed, twice.closed]);
    expect(harness.layer.counters().dropped).toBe(2);
  });

  it("MUST close the connection on a message over the size limit without reading its body", async () => {
    const peer = await connect(await start({ limits: { maxMessageBytes: 1000, maxHeaders: 50, maxLineLength: 500 } }));
    await peer.write(requestText(via("t6")).replace("Content-Length: 0", "Content-Length: 5000"));
    await peer.closed;
    expect(harness.layer.counters().dropped).toBe(1);
  });

  it("SHOULD wait for a body shorter than Content-Length (RFC 4475 clerr) until the idle timeout closes the connection", async () => {
    const peer = await connect(await start({ idleTimeoutMs: 300 }));
    await peer.write(await torture("clerr.dat"));
    await peer.closed;
    expect(harness.messages.queued + harness.parseErrors.queued).toBe(0);
    expect(harness.layer.counters()).toMatchObject({ dropped: 0, connections: 0 });
  });

  it("MUST hand a framed but malformed message to onParseError and keep the connection open", async () => {
    const peer = await connect(await start());
    await peer.write(requestText(via("t7")).replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE"));
    const { error, source } = await harness.parseErrors.next();
    expect(error.code).toBe("SIP_CSEQ_MISMATCH");
    expect(source.connectionId).toBeDefined();
    await peer.write(requestText(via("t8")));
    await expect(harness.nextRequest()).resolves.toMatchObject({ source: { connectionId: source.connectionId } });
  });

  it("MUST send the response over the connection the request came on (§18.2.2)", async () => {
    const peer = await connect(await start());
    await peer.write(requestText(via("t9")));
    const { message, source } = await harness.nextRequest();
    expect(source).toMatchObject({ transport: "TCP", address, port: peer.socket.localPort });
    expect(message.via.params).toContainEqual({ name: "received", value: address });
    await sendResponse(harness.layer, createResponse(message, 200), source);
    const text = await peer.waitFor((t) => t.includes("\r\n\r\n"));
    expect(text).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(text).toContain(`;received=${address}`);
  });

  it("SHOULD open a new connection to received and the sent-by port when the request's connection has closed (§18.2.2)", async () => {
    const port = await start();
    const proxy = await server();
    const peer = await connect(port);
    await peer.write(requestText(`SIP/2.0/TCP ${uriHost(address)}:${proxy.port};branch=z9hG4bKt10`));
    const { message, source } = await harness.nextRequest();
    await peer.write("NOT SIP\r\n\r\n"); // unframable: the layer closes this connection
    await peer.closed;
    await sendResponse(harness.layer, createResponse(message, 200), source);
    const reconnected = await proxy.accepted.next();
    expect(await reconnected.waitFor((t) => t.includes("\r\n\r\n"))).toMatch(/^SIP\/2\.0 200 OK/);
  });

  it("MUST reuse one open connection for requests to the same remote, even when sent at once", async () => {
    await start();
    const proxy = await server();
    const destination = { transport: "TCP", address, port: proxy.port } as const;
    const sends = ["t11", "t12"].map((b) => harness.layer.sendRequest(request(via(b)), destination));
    await expect(Promise.all(sends)).resolves.toEqual(["TCP", "TCP"]);
    await harness.layer.sendRequest(request(via("t13")), destination);
    const remote = await proxy.accepted.next();
    await remote.waitFor((t) => t.includes("z9hG4bKt13"));
    expect(proxy.connections).toBe(1);
    expect(harness.layer.counters().messagesOut.TCP).toBe(3);
  });

  it("MUST send over a named flow while it is open and reject once it has closed (RFC 5626)", async () => {
    const peer = await connect(await start());
    await peer.write(requestText(via("t14")));
    const { source } = await harness.nextRequest();
    const flow = { transport: "TCP", address, port: 5060, connectionId: source.connectionId } as const;
    await expect(harness.layer.sendRequest(request(via("t15")), flow)).resolves.toBe("TCP");
    await peer.waitFor((t) => t.includes("z9hG4bKt15"));
    await peer.write("NOT SIP\r\n\r\n");
    await peer.closed;
    await expect(harness.layer.sendRequest(request(via("t16")), flow)).rejects.toMatchObject({
      code: "SIP_TRANSPORT_CONNECTION_GONE",
    });
  });

  it("MUST reject a request when the connection is refused", async () => {
    await start();
    const port = await closedPort(address);
    await expect(harness.layer.sendRequest(request(via("t17")), { transport: "TCP", address, port })).rejects.toMatchObject({
      code: "SIP_TRANSPORT_CONNECT_FAILED",
    });
  });

  it("MUST close an idle connection, and SHOULD NOT while keep-alives flow", async () => {
    const peer = await connect(await start({ idleTimeoutMs: 1000 }));
    let closed = false;
    void peer.closed.then(() => (closed = true));
    // Six pings 250 ms apart span 1.5 s, past the idle timeout; each pong must still come.
    for (let i = 1; i <= 6; i++) {
      await peer.write("\r\n\r\n");
      await peer.waitFor((t) => t.length >= 2 * i);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(closed).toBe(false);
    await peer.closed;
    expect(harness.layer.counters().connections).toBe(0);
  });

  it("MUST NOT throw on any RFC 4475 torture message written to a stream", async () => {
    const port = await start({ idleTimeoutMs: 300 });
    const files = (await readdir(TORTURE)).filter((f) => f.endsWith(".dat"));
    await Promise.all(
      files.map(async (file) => {
        const peer = await connect(port);
        await peer.write(await torture(file));
        await peer.closed; // by a framing error, or the idle timeout
      }),
    );
    // Over a stream: baddn (no empty line) and clerr (short body) wait for more until the
    // idle timeout; inv2543 (no Content-Length), mcl01 and ncl cannot be framed; dblreq
    // holds two messages and then octets without a Content-Length.
    const { messagesIn, malformed, dropped } = harness.layer.counters();
    expect(dropped).toBe(4);
    expect(messagesIn.TCP + malformed).toBe(files.length - 5 + 1);
    await (await connect(port)).write(requestText(via("t18")));
    for (;;) {
      const { message } = await harness.messages.next();
      if (message.via.branch === "z9hG4bKt18") break;
    }
  });
});

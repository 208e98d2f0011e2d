/**
 * Test helpers for the transport tests: SIP text builders, a layer wired to an inbox,
 * raw peers (UDP, stream) that wait on socket events, and a throw-away certificate.
 * Used by the `*.test.ts` files only.
 */
import { execFile } from "node:child_process";
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect as tcpConnect, createServer, type Server, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseMessage, type SipParseError, type SipRequest, type SipResponse } from "../message/index.js";
import type { Inbound, Source } from "./endpoint.js";
import { TransportLayer } from "./transport-layer.js";
import type { TransportOptions } from "./transport-options.js";

export const LOOPBACKS = ["127.0.0.1", "::1"] as const;

/** Resolves queued values in order, waiting when none is queued yet. */
export class Queue<T> {
  private readonly values: T[] = [];
  private readonly waiters: Array<(value: T) => void> = [];

  push(value: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(value);
    else this.values.push(value);
  }

  next(): Promise<T> {
    const value = this.values.shift();
    if (value !== undefined) return Promise.resolve(value);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get queued(): number {
    return this.values.length;
  }
}

let calls = 0;

/** A request as wire text; `via` is the whole top Via value. */
export function requestText(via: string, options: { method?: string; body?: string } = {}): string {
  const method = options.method ?? "OPTIONS";
  const body = options.body ?? "";
  return [
    `${method} sip:bob@example.com SIP/2.0`,
    `Via: ${via}`,
    "Max-Forwards: 70",
    "From: <sip:alice@example.com>;tag=a1",
    "To: <sip:bob@example.com>",
    `Call-ID: call-${++calls}@example.com`,
    `CSeq: 1 ${method}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

/** A parsed request, for `sendRequest`. */
export function request(via: string, options: { method?: string; body?: string } = {}): SipRequest {
  const message = parseMessage(Buffer.from(requestText(via, options)));
  if (message.kind !== "request") throw new Error("not a request");
  return message;
}

/** Addresses and sends a response the way a server transaction does; resolves once it has left. */
export function sendResponse(layer: TransportLayer, response: SipResponse, source: Source): Promise<void> {
  return new Promise((resolve, reject) => layer.sendResponse(layer.addressResponse(response, source), (error) => (error === undefined ? resolve() : reject(error))));
}

/** The transport layer under test, with what it hands up queued. */
export class Harness {
  readonly messages = new Queue<Inbound>();
  readonly parseErrors = new Queue<{ error: SipParseError; source: Source }>();
  /** One entry for everything handed up, in order, whichever handler took it. */
  readonly arrivals = new Queue<"message" | "parse-error">();
  readonly layer: TransportLayer;

  constructor(options: TransportOptions) {
    this.layer = new TransportLayer(options);
    this.layer.setHandlers({
      onMessage: (inbound) => {
        this.messages.push(inbound);
        this.arrivals.push("message");
      },
      onParseError: (error, source) => {
        this.parseErrors.push({ error, source });
        this.arrivals.push("parse-error");
      },
    });
  }

  static async start(options: TransportOptions): Promise<Harness> {
    const harness = new Harness(options);
    await harness.layer.start();
    return harness;
  }

  /** The port of the first listener of a transport on an address. */
  port(transport: Source["transport"], address: string): number {
    const local = this.layer.listening(transport).find((l) => l.address === address);
    if (!local) throw new Error(`no ${transport} listener on ${address}`);
    return local.port;
  }

  async nextRequest(): Promise<Inbound<SipRequest>> {
    const inbound = await this.messages.next();
    if (inbound.message.kind !== "request") throw new Error("expected a request");
    return inbound as Inbound<SipRequest>;
  }
}

/** A UDP socket on a loopback address playing the remote phone. */
export class UdpPeer {
  readonly datagrams = new Queue<{ data: Buffer; from: RemoteInfo }>();

  private constructor(
    readonly socket: UdpSocket,
    readonly address: string,
  ) {
    socket.on("message", (data, from) => this.datagrams.push({ data, from }));
  }

  static async open(address: string, port = 0): Promise<UdpPeer> {
    const socket = createSocket(address.includes(":") ? "udp6" : "udp4");
    socket.bind(port, address);
    await once(socket, "listening");
    return new UdpPeer(socket, address);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: string | Buffer, port: number, address = this.address): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, address, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A TCP or TLS client socket playing the remote end, with what it has read so far as text. */
export class StreamPeer {
  text = "";
  readonly closed: Promise<void>;
  private readonly watchers: Array<() => void> = [];

  static async tcp(address: string, port: number): Promise<StreamPeer> {
    const socket = tcpConnect({ host: address, port });
    await once(socket, "connect");
    return new StreamPeer(socket);
  }

  static async tls(address: string, port: number, ca: Buffer): Promise<StreamPeer> {
    const socket = tlsConnect({ host: address, port, ca });
    await once(socket, "secureConnect");
    return new StreamPeer(socket);
  }

  constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.text += chunk.toString("latin1");
      for (const watch of this.watchers.slice()) watch();
    });
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /** Resolves once the text read so far satisfies `done` (checked on every chunk). */
  waitFor(done: (text: string) => boolean): Promise<string> {
    return new Promise((resolve) => {
      const watch = (): void => {
        if (!done(this.text)) return;
        this.watchers.splice(this.watchers.indexOf(watch), 1);
        resolve(this.text);
      };
      this.watchers.push(watch);
      watch();
    });
  }
}

/** A self-signed certificate for localhost, 127.0.0.1 and ::1, made by openssl in a temp dir. */
export async function selfSignedCertificate(): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), "strowger-tls-"));
  try {
    const keyFile = join(dir, "key.pem");
    const certFile = join(dir, "cert.pem");
    await promisify(execFile)("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
      "-keyout", keyFile, "-out", certFile,
    ]);
    return { key: await readFile(keyFile), cert: await readFile(certFile) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}


/** A plain TCP server on a loopback address playing a remote proxy; each accepted socket is a `StreamPeer`. */
export class TcpServerPeer {
  readonly accepted = new Queue<StreamPeer>();
  private readonly peers: StreamPeer[] = [];

  private constructor(readonly server: Server) {
    server.on("connection", (socket) => {
      const peer = new StreamPeer(socket);
      this.peers.push(peer);
      this.accepted.push(peer);
    });
  }

  static async open(address: string): Promise<TcpServerPeer> {
    const server = createServer();
    server.listen(0, address);
    await once(server, "listening");
    return new TcpServerPeer(server);
  }

  get port(): number {
    const bound = this.server.address();
    if (bound === null || typeof bound === "string") throw new Error("not listening");
    return bound.port;
  }

  get connections(): number {
    return this.peers.length;
  }

  close(): Promise<void> {
    for (const peer of this.peers) peer.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP port on the address that nothing listens on (just opened and closed again). */
export async function closedPort(address: string): Promise<number> {
  const server = await TcpServerPeer.open(address);
  const port = server.port;
  await server.close();
  return port;
}

/**
 * A SIP-over-WebSocket connection (RFC 7118). The WebSocket does the framing: RFC 7118
 * §5 "Each SIP message MUST be carried within a single WebSocket message, and a
 * WebSocket message MUST NOT contain more than one SIP message."
 */
import { isUtf8 } from "node:buffer";
import type { Socket } from "node:net";
import type { RawData, WebSocket } from "ws";
import { Connection, type ConnectionSettings } from "./connection.js";
import { isKeepAlive, isPing, PONG } from "./keep-alive.js";

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

export class WsConnection extends Connection {
  constructor(
    transport: "WS" | "WSS",
    private readonly ws: WebSocket,
    socket: Socket,
    settings: ConnectionSettings,
  ) {
    super(transport, socket, settings);
    ws.on("message", (data) => this.receive(toBuffer(data)));
    // WebSocket pings keep a flow alive as CRLF pings do on a stream.
    ws.on("ping", () => this.touch());
    // An oversized, unmasked or otherwise broken frame: the ws library closes the
    // socket; like a framing error on a stream, the peer is dropped.
    ws.on("error", (err) => this.events.framingError(this, err.message));
    ws.on("close", () => this.ended());
  }

  private receive(data: Buffer): void {
    this.touch();
    // Browser clients (SIP.js, JsSIP) send the RFC 5626 double-CRLF keep-alive as a
    // WebSocket message of its own and wait for the single-CRLF pong.
    if (isKeepAlive(data)) {
      if (isPing(data)) this.ws.send(PONG, { binary: false });
      return;
    }
    this.events.message(this, data);
  }

  protected write(data: Buffer): Promise<void> {
    // RFC 7118 §5.1: a message that is valid UTF-8 goes as a text frame, any other as binary.
    return new Promise((resolve, reject) => {
      this.ws.send(data, { binary: !isUtf8(data) }, (err) => (err ? reject(err) : resolve()));
    });
  }

  protected destroy(): void {
    this.ws.terminate();
  }
}

/**
 * A TCP or TLS connection: bytes in through the framer, whole messages out. The two
 * transports differ only in how the socket is made (see `stream-transport.ts`).
 */
import type { Socket } from "node:net";
import { Connection, type ConnectionSettings } from "./connection.js";
import { PONG } from "./keep-alive.js";
import { StreamFramer } from "./stream-framer.js";

export class StreamConnection extends Connection {
  private readonly framer: StreamFramer;

  constructor(
    transport: "TCP" | "TLS",
    private readonly socket: Socket,
    settings: ConnectionSettings,
  ) {
    super(transport, socket, settings);
    this.framer = new StreamFramer(settings.maxMessageBytes);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    // A reset or a TLS alert: 'close' follows, and the owner learns of it there.
    socket.on("error", () => {});
    socket.on("close", () => this.ended());
  }

  private receive(chunk: Buffer): void {
    this.touch();
    for (const frame of this.framer.push(chunk)) {
      switch (frame.kind) {
        case "message":
          this.events.message(this, frame.data);
          break;
        case "ping":
          // RFC 5626 §4.4.1: a double-CRLF ping is answered with a single CRLF pong.
          this.socket.write(PONG);
          break;
        case "error":
          // RFC 3261 §18.3 and RFC 4475 §3.1.2.4: a stream that cannot be framed is
          // unrecoverable; the server closes the connection.
          this.events.framingError(this, frame.reason);
          this.close();
          return;
      }
    }
  }

  protected write(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  protected destroy(): void {
    this.socket.destroy();
  }
}

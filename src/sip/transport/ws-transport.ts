/**
 * SIP over WebSocket (RFC 7118): an HTTP (WS) or HTTPS (WSS) server per address that
 * upgrades requests offering the `sip` subprotocol and refuses all others.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Connection, ConnectionSettings, ConnectionTransport } from "./connection.js";
import type { LocalEndpoint } from "./endpoint.js";
import { Listener } from "./listener.js";
import type { TlsMaterial } from "./tls-transport.js";
import { TransportError } from "./transport-error.js";
import type { ListenOptions } from "./transport-options.js";
import { WsConnection } from "./ws-connection.js";

export const SIP_SUBPROTOCOL = "sip";

/** Whether the handshake's Sec-WebSocket-Protocol offers `sip` (a comma-separated list, RFC 6455 §11.3.4). */
function offersSip(header: string | undefined): boolean {
  return header !== undefined && header.split(",").some((p) => p.trim() === SIP_SUBPROTOCOL);
}

export class WsTransport implements ConnectionTransport {
  private readonly listeners: Listener[] = [];
  private readonly wss: WebSocketServer;

  constructor(
    readonly name: "WS" | "WSS",
    private readonly options: ListenOptions,
    private readonly tls: TlsMaterial | undefined,
    private readonly settings: ConnectionSettings,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // A SIP message never needs more than the parser accepts; ws closes the
      // connection (1009) on a larger one before buffering it.
      maxPayload: settings.maxMessageBytes,
      perMessageDeflate: false,
      handleProtocols: () => SIP_SUBPROTOCOL,
    });
  }

  get listening(): readonly LocalEndpoint[] {
    return this.listeners.map((l) => l.local);
  }

  async listen(): Promise<void> {
    for (const address of this.options.addresses) {
      const server: Server = this.tls ? createHttpsServer({ key: this.tls.key, cert: this.tls.cert }) : createHttpServer();
      // Plain HTTP has nothing to serve here: RFC 6455 §4.2.2 points the client at the upgrade.
      server.on("request", (_req, res) => res.writeHead(426, { Upgrade: "websocket", Connection: "close" }).end());
      server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
      this.listeners.push(await Listener.open(server, this.name, address, this.options.port));
    }
  }

  /**
   * A WebSocket client (a browser, a softphone) accepts no connections: requests reach it
   * only over the connection it opened, which the caller looks up before coming here.
   */
  connect(address: string, port: number): Promise<Connection> {
    return Promise.reject(
      new TransportError(
        "SIP_TRANSPORT_CONNECTION_GONE",
        `No open ${this.name} connection to ${address} port ${port}: WebSocket clients connect to the server, never the reverse`,
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.close()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The HTTP server no longer watches an upgrading socket; a reset must not go unheard.
    socket.on("error", () => {});
    // RFC 7118 §4.1: the client MUST offer the "sip" subprotocol; a handshake without
    // it is not SIP, and RFC 6455 §4.2.2 lets the server refuse it with an HTTP error.
    if (!offersSip(req.headers["sec-websocket-protocol"])) {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new WsConnection(this.name, ws, req.socket, this.settings);
      this.settings.events.opened(connection);
    });
  }
}

/**
 * The connection handling TCP and TLS share: listeners on each address, accepted and
 * dialled sockets wrapped as `StreamConnection`s. A `StreamDialect` supplies the one
 * difference, how a server or client socket is made.
 */
import type { Server, Socket } from "node:net";
import type { Connection, ConnectionSettings, ConnectionTransport } from "./connection.js";
import type { LocalEndpoint } from "./endpoint.js";
import { Listener } from "./listener.js";
import { StreamConnection } from "./stream-connection.js";
import { systemCode, TransportError } from "./transport-error.js";
import type { ListenOptions } from "./transport-options.js";

export interface StreamDialect {
  readonly name: "TCP" | "TLS";
  /** A server that hands `onSocket` each accepted socket once it can carry SIP. */
  createServer(onSocket: (socket: Socket) => void): Server;
  /** Starts a client connection. */
  connect(address: string, port: number): Socket;
  /** The event by which a client socket says it can carry SIP. */
  readonly readyEvent: "connect" | "secureConnect";
}

export class StreamTransport implements ConnectionTransport {
  private readonly listeners: Listener[] = [];
  private readonly connecting = new Set<Socket>();

  constructor(
    private readonly dialect: StreamDialect,
    private readonly options: ListenOptions,
    private readonly settings: ConnectionSettings,
  ) {}

  get name(): "TCP" | "TLS" {
    return this.dialect.name;
  }

  get listening(): readonly LocalEndpoint[] {
    return this.listeners.map((l) => l.local);
  }

  async listen(): Promise<void> {
    for (const address of this.options.addresses) {
      const server = this.dialect.createServer((socket) => this.adopt(socket));
      this.listeners.push(await Listener.open(server, this.name, address, this.options.port));
    }
  }

  connect(address: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = this.dialect.connect(address, port);
      this.connecting.add(socket);
      const settle = (): void => {
        this.connecting.delete(socket);
        socket.off("error", failed);
        socket.off("close", closed);
      };
      const closed = (): void => failed(new Error("closed before it was ready"));
      const failed = (err: unknown): void => {
        settle();
        socket.destroy();
        const why = systemCode(err) ?? (err instanceof Error ? err.message : String(err));
        reject(
          new TransportError("SIP_TRANSPORT_CONNECT_FAILED", `${this.name} connection to ${address} port ${port} failed (${why})`, {
            cause: err,
          }),
        );
      };
      socket.once("error", failed);
      socket.once("close", closed);
      socket.once(this.dialect.readyEvent, () => {
        settle();
        const connection = this.adopt(socket);
        if (connection) resolve(connection);
        else closed();
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.connecting) socket.destroy();
    await Promise.all(this.listeners.map((l) => l.close()));
  }

  private adopt(socket: Socket): StreamConnection | undefined {
    // A socket reset between accept and now has no remote address left to key it by.
    if (socket.remoteAddress === undefined) {
      socket.destroy();
      return undefined;
    }
    // One SIP message is one write; Nagle's delay buys nothing.
    socket.setNoDelay(true);
    const connection = new StreamConnection(this.name, socket, this.settings);
    this.settings.events.opened(connection);
    return connection;
  }
}

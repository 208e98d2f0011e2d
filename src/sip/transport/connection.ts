/**
 * A connection-oriented flow (TCP, TLS, WS, WSS) as the transport layer sees it: an
 * id the core can name it by (RFC 5626 flows), its two ends, an idle timer, and a
 * way to write one message. TCP and TLS share `StreamConnection`; WebSocket has its own.
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { endpointKey, type LocalEndpoint, type Source, type TransportName } from "./endpoint.js";
import { peerAddress } from "./ip-address.js";
import { TransportError } from "./transport-error.js";

/** What a connection reports to the layer that owns it. */
export interface ConnectionEvents {
  opened(connection: Connection): void;
  /** One whole SIP message read off the connection, not yet parsed. */
  message(connection: Connection, data: Buffer): void;
  /** The byte stream cannot be framed any further; the connection closes right after. */
  framingError(connection: Connection, reason: string): void;
  closed(connection: Connection): void;
}

/** What every connection needs from the layer's options. */
export interface ConnectionSettings {
  /** Close a connection that carried nothing in either direction for this long. */
  readonly idleTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly events: ConnectionEvents;
}

/** A connection-oriented transport: its listeners, and the client side that opens connections. */
export interface ConnectionTransport {
  readonly name: TransportName;
  listen(): Promise<void>;
  readonly listening: readonly LocalEndpoint[];
  connect(address: string, port: number): Promise<Connection>;
  /** Stops listening and aborts connection attempts; open connections are closed by their owner. */
  close(): Promise<void>;
}

// Ids only need to be unique on this node, but they may be stored with a registration
// in the shared state, so a random prefix keeps the two nodes' ids apart.
const NODE_PREFIX = randomBytes(4).toString("hex");
let sequence = 0;

export abstract class Connection {
  readonly id = `${NODE_PREFIX}-${(++sequence).toString(36)}`;
  /** Where messages read from this connection come from, as handed to the owner. */
  readonly source: Source;
  /** The index key of the remote end (`endpointKey`). */
  readonly remoteKey: string;
  protected readonly events: ConnectionEvents;
  private readonly idleTimer: NodeJS.Timeout;
  private closed = false;

  protected constructor(
    transport: TransportName,
    socket: Socket,
    settings: ConnectionSettings,
  ) {
    this.source = {
      transport,
      address: peerAddress(socket.remoteAddress ?? ""),
      port: socket.remotePort ?? 0,
      connectionId: this.id,
      localAddress: peerAddress(socket.localAddress ?? ""),
      localPort: socket.localPort ?? 0,
    };
    this.remoteKey = endpointKey(this.source);
    this.events = settings.events;
    this.idleTimer = setTimeout(() => this.close(), settings.idleTimeoutMs);
    this.idleTimer.unref();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  async send(data: Buffer): Promise<void> {
    if (this.closed) throw new TransportError("SIP_TRANSPORT_CONNECTION_GONE", `${this.describe()} is closed`);
    this.touch();
    try {
      await this.write(data);
    } catch (err) {
      throw new TransportError("SIP_TRANSPORT_SEND_FAILED", `Write to ${this.describe()} failed`, { cause: err });
    }
  }

  /** Closes at once; pending writes are dropped. Safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.destroy();
    this.ended();
  }

  describe(): string {
    return `${this.source.transport} connection ${this.id} to ${this.remoteKey}`;
  }

  /** Traffic in either direction, keep-alives included (RFC 5626 §4.4), restarts the idle timer. */
  protected touch(): void {
    this.idleTimer.refresh();
  }

  /** Subclasses call this when the underlying socket has closed. */
  protected ended(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.events.closed(this);
  }

  protected abstract write(data: Buffer): Promise<void>;
  protected abstract destroy(): void;
}

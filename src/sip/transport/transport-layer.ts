/**
 * The SIP transport layer (RFC 3261 §18): listeners for UDP, TCP, TLS, WS and WSS,
 * one table of open connections, and the `MessageSender` the transaction layer and
 * the core send through. Inbound messages are parsed, requests get their Via
 * `received`/`rport` stamps, and all of it goes to the one set of handlers the owner
 * sets. Nothing a peer sends can throw out of here.
 */
import {
  bareHost,
  parseMessage,
  serialize,
  SipParseError,
  type ParseLimits,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from "../message/index.js";
import type { Connection, ConnectionEvents, ConnectionSettings, ConnectionTransport } from "./connection.js";
import { detached } from "../detached-string.js";
import { ConnectionTable } from "./connection-table.js";
import {
  defaultPort,
  endpointKey,
  type AddressedResponse,
  type Endpoint,
  type Inbound,
  type LocalEndpoint,
  type MessageSender,
  type SendDone,
  type Source,
  type TransportName,
} from "./endpoint.js";
import { family, sameAddress } from "./ip-address.js";
import { createTcpTransport } from "./tcp-transport.js";
import { createTlsTransport, loadTlsMaterial } from "./tls-transport.js";
import { replaceTopVia, responseTarget, stampReceived } from "./top-via.js";
import { systemCode, TransportError } from "./transport-error.js";
import { TRANSPORT_DEFAULTS, type TransportOptions } from "./transport-options.js";
import { UdpTransport } from "./udp-transport.js";
import { WsTransport } from "./ws-transport.js";

/** Where inbound traffic goes. Both are called synchronously from socket events and must not throw. */
export interface TransportHandlers {
  /** A message that parsed. A request's top Via already carries `received`/`rport`; a response is as it came (§18.1.2). */
  onMessage(inbound: Inbound): void;
  /**
   * A message that did not parse. For a request the owner answers `error.status`
   * (400, 505, 513) with `createErrorResponse(error.partial, ...)` where it can.
   */
  onParseError(error: SipParseError, source: Source): void;
}

export interface TransportCounters {
  readonly messagesIn: Readonly<Record<TransportName, number>>;
  readonly messagesOut: Readonly<Record<TransportName, number>>;
  /** Messages that were framed but did not parse (handed to `onParseError`). */
  readonly malformed: number;
  /** Input thrown away unread: streams that could not be framed, broken WebSocket frames, traffic before `setHandlers`. */
  readonly dropped: number;
  /** Connections open now. */
  readonly connections: number;
}

const perTransport = (): Record<TransportName, number> => ({ UDP: 0, TCP: 0, TLS: 0, WS: 0, WSS: 0 });

export class TransportLayer implements MessageSender {
  private handlers: TransportHandlers | undefined;
  private sockets: LocalEndpoint[] | undefined;
  private state: "new" | "started" | "closed" = "new";
  private udp: UdpTransport | undefined;
  private readonly connectionTransports = new Map<TransportName, ConnectionTransport>();
  private readonly table = new ConnectionTable();
  /** Connection attempts under way, by `endpointKey`, so that concurrent sends share one. */
  private readonly dialling = new Map<string, Promise<Connection>>();
  private readonly limits: ParseLimits;
  private readonly udpMaxRequestBytes: number;
  private readonly stats = { messagesIn: perTransport(), messagesOut: perTransport(), malformed: 0, dropped: 0 };

  private readonly events: ConnectionEvents = {
    opened: (connection) => {
      if (this.state === "closed") connection.close();
      else this.table.add(connection);
    },
    message: (connection, data) => this.receive(data, connection.source),
    framingError: () => {
      this.stats.dropped++;
    },
    closed: (connection) => this.table.remove(connection),
  };

  constructor(private readonly options: TransportOptions) {
    this.limits = options.limits ?? TRANSPORT_DEFAULTS.limits;
    this.udpMaxRequestBytes = options.udpMaxRequestBytes ?? TRANSPORT_DEFAULTS.udpMaxRequestBytes;
  }

  /** Sets the one consumer of inbound traffic, replacing any earlier one. */
  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  /** Opens every configured listener; on any failure closes what it opened and rejects. */
  async start(): Promise<void> {
    if (this.state !== "new") throw new TransportError("SIP_TRANSPORT_CLOSED", "A transport layer starts once");
    this.state = "started";
    const { udp, tcp, tls, ws, wss } = this.options;
    const settings: ConnectionSettings = {
      idleTimeoutMs: this.options.idleTimeoutMs ?? TRANSPORT_DEFAULTS.idleTimeoutMs,
      maxMessageBytes: this.limits.maxMessageBytes,
      events: this.events,
    };
    try {
      if (udp) this.udp = new UdpTransport(udp, (data, source) => this.receive(data, source));
      if (tcp) this.connectionTransports.set("TCP", createTcpTransport(tcp, settings));
      if (tls) this.connectionTransports.set("TLS", createTlsTransport(tls, await loadTlsMaterial(tls), settings));
      if (ws) this.connectionTransports.set("WS", new WsTransport("WS", ws, undefined, settings));
      if (wss) this.connectionTransports.set("WSS", new WsTransport("WSS", wss, await loadTlsMaterial(wss), settings));
      await this.udp?.listen();
      for (const transport of this.connectionTransports.values()) await transport.listen();
      this.sockets = this.currentSockets();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** The sockets listened on, for the core's Via sent-by, Record-Route and Contact. */
  listening(transport?: TransportName): LocalEndpoint[] {
    // Listeners are fixed once started (see start()); the core asks on every request it forwards.
    const all = this.sockets ?? this.currentSockets();
    return transport === undefined ? all : all.filter((l) => l.transport === transport);
  }

  private currentSockets(): LocalEndpoint[] {
    return [...(this.udp?.listening ?? []), ...[...this.connectionTransports.values()].flatMap((t) => t.listening)];
  }

  /** The listener to name in a message bound for `destination`: same transport, same IP family. */
  localFor(destination: Endpoint): LocalEndpoint | undefined {
    const wanted = family(destination.address);
    return this.listening(destination.transport).find((l) => family(l.address) === wanted);
  }

  counters(): TransportCounters {
    return {
      messagesIn: { ...this.stats.messagesIn },
      messagesOut: { ...this.stats.messagesOut },
      malformed: this.stats.malformed,
      dropped: this.stats.dropped,
      connections: this.table.size,
    };
  }

  async sendRequest(request: SipRequest, destination: Endpoint): Promise<TransportName> {
    this.assertOpen();
    const data = serialize(request);
    if (destination.transport === "UDP") {
      // RFC 3261 §18.1.1: a request within 200 bytes of the path MTU (or above 1300
      // bytes when the MTU is unknown) MUST go over a congestion-controlled transport
      // such as TCP. Without TCP configured it goes as UDP, and IP fragments it.
      if (data.length > this.udpMaxRequestBytes && this.connectionTransports.has("TCP")) {
        if (await this.sendOverTcpInstead(request, destination)) return "TCP";
      }
      await this.datagramSent(data, destination, undefined);
      return "UDP";
    }
    const connection =
      destination.connectionId === undefined ? await this.connectionTo(destination) : this.flow(destination.connectionId);
    await this.sendOn(connection, data);
    return destination.transport;
  }

  addressResponse(response: SipResponse, requestSource: Source): AddressedResponse {
    const via = responseTarget(response.via, requestSource);
    // The address is read off the request's Via; a copy, so that a transaction keeping
    // this for 32 s does not keep the request's text too.
    const target = { ...via, address: detached(via.address) };
    if (target.transport !== "UDP") return { data: serialize(response), target };
    // RFC 3581 §4: the response MUST be sent from the address and port the request arrived on.
    return { data: serialize(response), target, from: { transport: "UDP", address: requestSource.localAddress, port: requestSource.localPort } };
  }

  sendResponse({ data, target, from }: AddressedResponse, done: SendDone): void {
    if (this.state === "closed") {
      process.nextTick(done, closedError());
      return;
    }
    if (target.transport === "UDP") {
      this.sendDatagram(data, target, from, done);
      return;
    }
    this.sendOverStream(data, target).then(() => done(undefined), done);
  }

  /**
   * RFC 3261 §18.2.2: over the request's connection while it is open, else over a new
   * one to `received` and the sent-by port. A WebSocket client cannot be dialled, so
   * its responses go over its own connection or not at all.
   */
  private async sendOverStream(data: Buffer, target: Endpoint): Promise<void> {
    const open = target.connectionId === undefined ? undefined : this.table.byId(target.connectionId);
    const connection = open ?? (await this.connectionTo({ transport: target.transport, address: target.address, port: target.port }));
    await this.sendOn(connection, data);
  }

  /**
   * A stateless answer to a request whose Via cannot be read (RFC 4475 §3.1.2.1
   * badinv01 still wants its 400): back over the connection it came on, or for a
   * datagram to the address and port it came from, as RFC 3581 rport would.
   */
  async replyToSource(response: SipResponse, source: Source): Promise<void> {
    this.assertOpen();
    const data = serialize(response);
    if (source.transport === "UDP") {
      await this.datagramSent(data, source, { transport: "UDP", address: source.localAddress, port: source.localPort });
      return;
    }
    const connection = source.connectionId === undefined ? undefined : this.table.byId(source.connectionId);
    if (!connection) throw new TransportError("SIP_TRANSPORT_CONNECTION_GONE", "The connection the request came on has closed");
    await this.sendOn(connection, data);
  }

  /** Closes every listener and connection. Sends after this reject. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    for (const connection of this.table.all()) connection.close();
    await Promise.all([this.udp?.close(), ...[...this.connectionTransports.values()].map((t) => t.close())]);
  }

  /** One datagram or framed stream message, as read off the wire. */
  private receive(data: Buffer, source: Source): void {
    const handlers = this.handlers;
    if (!handlers) {
      this.stats.dropped++;
      return;
    }
    let message: SipMessage;
    try {
      message = parseMessage(data, this.limits);
      // RFC 3261 §18.2.1 and RFC 3581 §4: stamp `received` and `rport` on a request.
      // A response is handed up unchanged (§18.1.2).
      if (message.kind === "request") stampReceived(message, source);
    } catch (err) {
      if (err instanceof SipParseError) {
        this.stats.malformed++;
        handlers.onParseError(err, source);
      } else {
        this.stats.dropped++;
      }
      return;
    }
    this.stats.messagesIn[source.transport]++;
    handlers.onMessage({ message, source });
  }

  /**
   * RFC 3261 §18.1.1: sends a large UDP request over TCP, rewriting the top Via ("If
   * this causes a change in the transport protocol from the one indicated in the top
   * Via, the value in the top Via MUST be changed"). Resolves false, with the Via
   * restored, when the connection is refused: "if the attempt to establish the
   * connection ... results in a TCP reset, the element SHOULD retry the request, using UDP."
   */
  private async sendOverTcpInstead(request: SipRequest, destination: Endpoint): Promise<boolean> {
    const via = request.via;
    // Were the Via to name this node's UDP listener, a TCP response would have nowhere
    // to reconnect to; name the TCP listener on the same address instead.
    const sentByPort = via.port ?? defaultPort("UDP");
    const udp = this.listening("UDP").find((l) => l.port === sentByPort && sameAddress(l.address, bareHost(via.host)));
    const tcp = udp && this.listening("TCP").find((l) => sameAddress(l.address, udp.address));
    replaceTopVia(request, { ...via, transport: "TCP", port: tcp && tcp.port !== sentByPort ? tcp.port : via.port });
    try {
      const connection = await this.connectionTo({ transport: "TCP", address: destination.address, port: destination.port });
      await this.sendOn(connection, serialize(request));
      return true;
    } catch (err) {
      replaceTopVia(request, via);
      if (err instanceof TransportError && err.code === "SIP_TRANSPORT_CONNECT_FAILED" && systemCode(err.cause) === "ECONNREFUSED") {
        return false;
      }
      throw err;
    }
  }

  private datagramSent(data: Buffer, destination: Endpoint, from: LocalEndpoint | undefined): Promise<void> {
    return new Promise((resolve, reject) => this.sendDatagram(data, destination, from, (error) => (error === undefined ? resolve() : reject(error))));
  }

  private sendDatagram(data: Buffer, destination: Endpoint, from: LocalEndpoint | undefined, done: SendDone): void {
    if (!this.udp) {
      process.nextTick(done, new TransportError("SIP_TRANSPORT_UNAVAILABLE", "UDP is not configured on this node"));
      return;
    }
    this.udp.send(data, destination.address, destination.port, from, (error) => {
      if (error === undefined) this.stats.messagesOut.UDP++;
      done(error);
    });
  }

  private async sendOn(connection: Connection, data: Buffer): Promise<void> {
    await connection.send(data);
    this.stats.messagesOut[connection.source.transport]++;
  }

  /** A flow the core named (RFC 5626): that connection or none, never a substitute. */
  private flow(connectionId: string): Connection {
    const connection = this.table.byId(connectionId);
    if (!connection) throw new TransportError("SIP_TRANSPORT_CONNECTION_GONE", `Connection ${connectionId} is closed`);
    return connection;
  }

  /** An open connection to the destination, reused when there is one, dialled otherwise. */
  private connectionTo(destination: Endpoint): Promise<Connection> {
    const key = endpointKey(destination);
    const open = this.table.byRemote(key);
    if (open) return Promise.resolve(open);
    let pending = this.dialling.get(key);
    if (!pending) {
      const transport = this.connectionTransports.get(destination.transport);
      if (!transport) {
        return Promise.reject(new TransportError("SIP_TRANSPORT_UNAVAILABLE", `${destination.transport} is not configured on this node`));
      }
      pending = transport.connect(destination.address, destination.port).finally(() => this.dialling.delete(key));
      this.dialling.set(key, pending);
    }
    return pending;
  }

  private assertOpen(): void {
    if (this.state === "closed") throw closedError();
  }
}

function closedError(): TransportError {
  return new TransportError("SIP_TRANSPORT_CLOSED", "The transport layer is closed");
}

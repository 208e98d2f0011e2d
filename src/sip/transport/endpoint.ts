/**
 * Addresses as the transport layer sees them. Shared by the transaction layer,
 * which sends through a `MessageSender` and never touches a socket.
 */
import type { SipMessage, SipRequest, SipResponse } from "../message/index.js";

export type TransportName = "UDP" | "TCP" | "TLS" | "WS" | "WSS";

/** RFC 3261 §17.1.1.2, §17.1.2.2: timers depend on whether the transport is reliable. */
export function isReliable(transport: TransportName): boolean {
  return transport !== "UDP";
}

/** A remote address to send to. `address` is bare (no IPv6 brackets). */
export interface Endpoint {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
  /** For streams: the connection (flow) to use when it is still open (RFC 5626 flows). */
  readonly connectionId?: string;
}

/** Where an inbound message came from, and the local socket that took it. */
export interface Source extends Endpoint {
  readonly localAddress: string;
  readonly localPort: number;
}

export interface Inbound<M extends SipMessage = SipMessage> {
  readonly message: M;
  readonly source: Source;
}

/**
 * A response serialized and addressed once (RFC 3261 §18.2.2, RFC 3581 §4): what a
 * server transaction keeps to send it again. A Completed or Accepted transaction lives
 * on for 32 s on UDP (Timers J and L); the bytes cost a fraction of the parsed request
 * and response they stand for.
 */
export interface AddressedResponse {
  readonly data: Buffer;
  /** Where it goes; for a stream, `connectionId` is the request's connection, used while it is open. */
  readonly target: Endpoint;
  /** For UDP, the socket the request arrived on: RFC 3581 §4 sends the response from there. */
  readonly from?: LocalEndpoint;
}

/**
 * What the transaction layer and the core need of the transport layer.
 * `sendRequest` may switch a large UDP request to TCP (RFC 3261 §18.1.1) and
 * resolves to the transport actually used; `addressResponse` follows §18.2.2 and
 * RFC 3581 from the response's top Via and the source the request came from. Both
 * sends report a transport failure (§17.1.4, §17.2.4), which the transaction passes on:
 * `sendRequest` rejects, `sendResponse` calls `done` with the error (and with undefined
 * once the response has left), never before it returns: a transaction that sends from
 * inside its own state change must not hear of a failure in the middle of it. A
 * response is sent without a promise because a server sends two or more for every
 * request it answers, and each promise is garbage.
 */
export interface MessageSender {
  sendRequest(request: SipRequest, destination: Endpoint): Promise<TransportName>;
  addressResponse(response: SipResponse, requestSource: Source): AddressedResponse;
  sendResponse(response: AddressedResponse, done: SendDone): void;
}

/** Told how a send went: undefined when the message left, else why it did not. */
export type SendDone = (error: unknown) => void;

export function endpointKey(e: Endpoint): string {
  return `${e.transport}:${e.address}:${e.port}`;
}

/** A socket the transport layer listens on: what the core writes as its Via sent-by, Record-Route and Contact. */
export interface LocalEndpoint {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
}

/**
 * RFC 3261 §18.2.2 and §19.1.2: the port used when a Via sent-by or a URI names
 * none: 5060 for UDP and TCP, 5061 for TLS. WebSocket keeps the HTTP ports
 * (RFC 6455 §3: 80 for ws, 443 for wss).
 */
export function defaultPort(transport: TransportName): number {
  switch (transport) {
    case "TLS":
      return 5061;
    case "WS":
      return 80;
    case "WSS":
      return 443;
    default:
      return 5060;
  }
}

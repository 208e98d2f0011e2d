/**
 * Test doubles for the transaction layer's tests and for TU tests above it: a
 * MessageSender that records what is sent and when, and SIP messages built from raw
 * text the way the parser would hand them over.
 */
import { parseMessage, reasonPhrase, type SipRequest, type SipResponse } from "../message/index.js";
import type { AddressedResponse, Endpoint, MessageSender, SendDone, Source, TransportName } from "../transport/endpoint.js";

export interface SentRequest {
  /** Date.now() when it was sent: tests run on vi.useFakeTimers({ now: 0 }). */
  readonly at: number;
  readonly request: SipRequest;
  readonly destination: Endpoint;
}

export interface SentResponse {
  readonly at: number;
  readonly response: SipResponse;
  readonly requestSource: Source;
}

interface RecordedResponse extends AddressedResponse {
  readonly response: SipResponse;
  readonly requestSource: Source;
}

export class RecordingSender implements MessageSender {
  readonly requests: SentRequest[] = [];
  readonly responses: SentResponse[] = [];
  /** Set to make every later send fail, as a transport does when it cannot deliver (RFC 3261 §17.1.4, §17.2.4). */
  failure: Error | undefined;
  /** Set to the transport the sender switches requests to (RFC 3261 §18.1.1: a large request moves from UDP to TCP). */
  switchTo: TransportName | undefined;

  sendRequest(request: SipRequest, destination: Endpoint): Promise<TransportName> {
    this.requests.push({ at: Date.now(), request, destination });
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(this.switchTo ?? destination.transport);
  }

  /** Keeps the message itself beside the (empty) bytes, so that tests can read what was sent. */
  addressResponse(response: SipResponse, requestSource: Source): RecordedResponse {
    return { data: Buffer.alloc(0), target: requestSource, response, requestSource };
  }

  /** Reports the outcome on a later microtask, as a socket does after its send. */
  sendResponse(addressed: AddressedResponse, done: SendDone): void {
    const { response, requestSource } = addressed as RecordedResponse;
    this.responses.push({ at: Date.now(), response, requestSource });
    const failure = this.failure;
    queueMicrotask(() => done(failure));
  }

  /** When each request of that method went out. */
  requestTimes(method: string): number[] {
    return this.requests.filter((s) => s.request.method === method).map((s) => s.at);
  }

  /** When each response of that status went out. */
  responseTimes(status: number): number[] {
    return this.responses.filter((s) => s.response.status === status).map((s) => s.at);
  }
}

export function endpoint(transport: TransportName): Endpoint {
  return { transport, address: "192.0.2.20", port: 5060 };
}

export function source(transport: TransportName): Source {
  return { transport, address: "192.0.2.10", port: 5060, localAddress: "192.0.2.1", localPort: 5060 };
}

function parse(lines: readonly string[]): ReturnType<typeof parseMessage> {
  return parseMessage(Buffer.from(`${lines.join("\r\n")}\r\n\r\n`));
}

export interface RequestText {
  readonly method: string;
  /** Undefined: a Via without a branch parameter (an RFC 2543 element). */
  readonly branch?: string;
  readonly sentBy?: string;
  readonly transport?: TransportName;
  /** Vias of earlier hops, below the top one. */
  readonly lowerVias?: readonly string[];
  readonly routes?: readonly string[];
  readonly toTag?: string;
  readonly callId?: string;
  readonly cseq?: number;
}

/** A request from Alice to Bob, as it arrives off the wire. */
export function request(t: RequestText): SipRequest {
  const branch = t.branch === undefined ? "" : `;branch=${t.branch}`;
  const message = parse([
    `${t.method} sip:bob@example.com SIP/2.0`,
    `Via: SIP/2.0/${t.transport ?? "UDP"} ${t.sentBy ?? "192.0.2.10:5060"}${branch}`,
    ...(t.lowerVias ?? []).map((v) => `Via: ${v}`),
    ...(t.routes ?? []).map((r) => `Route: ${r}`),
    "Max-Forwards: 70",
    "From: Alice <sip:alice@example.com>;tag=1928301774",
    `To: Bob <sip:bob@example.com>${t.toTag === undefined ? "" : `;tag=${t.toTag}`}`,
    `Call-ID: ${t.callId ?? "a84b4c76e66710@pc33.example.com"}`,
    `CSeq: ${t.cseq ?? 314159} ${t.method}`,
    "Content-Length: 0",
  ]);
  if (message.kind !== "request") throw new Error("not a request");
  return message;
}

/** The response a next hop sends to `req`: its Vias, From, Call-ID and CSeq, and its To with `toTag`. */
export function response(req: SipRequest, status: number, toTag?: string): SipResponse {
  const to = req.headers.get("To") ?? "";
  const message = parse([
    `SIP/2.0 ${status} ${reasonPhrase(status)}`,
    ...req.headers.all("Via").map((f) => `Via: ${f.value}`),
    `From: ${req.headers.get("From") ?? ""}`,
    `To: ${toTag === undefined || req.toTag !== undefined ? to : `${to};tag=${toTag}`}`,
    `Call-ID: ${req.callId}`,
    `CSeq: ${req.headers.get("CSeq") ?? ""}`,
    "Content-Length: 0",
  ]);
  if (message.kind !== "response") throw new Error("not a response");
  return message;
}

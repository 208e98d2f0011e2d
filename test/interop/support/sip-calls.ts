/**
 * Reading a call back from a peer's message log: the requests and responses of one
 * method, the statuses a caller got, in order.
 */
import { headerValue, type SipHead } from "./sip-text.js";
import type { TracedMessage } from "./sipp-message-log.js";

/** The method a message belongs to: its request method, or its CSeq's for a response. */
export function methodOf(message: SipHead): string {
  return message.status === undefined ? message.startLine.split(" ")[0]! : (headerValue(message, "CSeq") ?? "").trim().split(/\s+/)[1] ?? "";
}

/** The requests of `method` a peer received. */
export function requestsIn(messages: readonly TracedMessage[], method: string): TracedMessage[] {
  return messages.filter((m) => m.direction === "received" && m.status === undefined && methodOf(m) === method);
}

/** The statuses a peer received for `method`, in order: `["407", "180", "200"]` written as numbers. */
export function statusesFor(messages: readonly TracedMessage[], method: string): number[] {
  return messages.filter((m) => m.direction === "received" && m.status !== undefined && methodOf(m) === method).map((m) => m.status!);
}

/** The branch parameter of a Via value. */
export function branchOf(via: string | undefined): string | undefined {
  return via === undefined ? undefined : /;\s*branch=([^;,\s]+)/i.exec(via)?.[1];
}

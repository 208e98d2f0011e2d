/**
 * Reading the log sipp writes with `-trace_msg -message_file FILE`: each message
 * follows a dashed line with a timestamp and a line such as
 * `UDP message sent (335 bytes):` or `TCP message received [334] bytes :`.
 */
import { parseSipHead, type SipHead } from "./sip-text.js";

export interface TracedMessage extends SipHead {
  readonly direction: "sent" | "received";
  /** As sipp names it: UDP, TCP, ... */
  readonly transport: string;
  readonly text: string;
}

const SEPARATOR = /^-{10,} .*$/m;
const HEADING = /^(\w+) message (sent|received)\b.*$/;

export function parseSippMessageLog(log: string): TracedMessage[] {
  const messages: TracedMessage[] = [];
  for (const block of log.split(SEPARATOR)) {
    const lines = block.replace(/^\r?\n/, "").split(/\r?\n/);
    const heading = HEADING.exec(lines[0] ?? "");
    if (!heading) continue;
    // The message starts after the empty line below the heading.
    const text = lines.slice(2).join("\r\n").trim();
    messages.push({ ...parseSipHead(text), direction: heading[2] as "sent" | "received", transport: heading[1] ?? "", text });
  }
  return messages;
}

export const received = (messages: readonly TracedMessage[]) => messages.filter((m) => m.direction === "received");
export const sent = (messages: readonly TracedMessage[]) => messages.filter((m) => m.direction === "sent");

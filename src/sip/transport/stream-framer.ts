/**
 * Cuts a byte stream (TCP, TLS) into SIP messages. RFC 3261 §18.3: on a stream the
 * Content-Length header field gives the size of the body, and it MUST be present
 * (§20.14), so the end of every message is known from its header alone.
 */
import { headerEnd } from "../message/index.js";
import { PING } from "./keep-alive.js";

export type Frame =
  /** One whole message, start line to the last octet of its body. */
  | { readonly kind: "message"; readonly data: Buffer }
  /** RFC 5626 §4.4.1: a double-CRLF keep-alive, to be answered with a single CRLF. */
  | { readonly kind: "ping" }
  /** The stream cannot be framed any further; the connection must be closed. */
  | { readonly kind: "error"; readonly reason: string };

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);
const PING_FRAME: Frame = { kind: "ping" };
const FOLD = /\r\n[ \t]+/g;
// The compact form `l` is Content-Length (RFC 3261 §7.3.3).
const CONTENT_LENGTH = /\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gi;
const DIGITS = /^[0-9]+$/;

/**
 * Content-Length from a complete header, or a reason why there is none. A value that
 * is missing, not a number, or stated twice differently leaves nothing to frame by.
 */
function contentLength(head: string): number | string {
  let value: string | undefined;
  for (const match of head.replace(FOLD, " ").matchAll(CONTENT_LENGTH)) {
    const v = match[1]!.trim();
    if (value !== undefined && v !== value) return "Conflicting Content-Length values";
    value = v;
  }
  // RFC 3261 §18.3 and RFC 4475 §3.1.2.4 (ncl): a stream message without a usable
  // Content-Length cannot be delimited, so the stream is unrecoverable.
  if (value === undefined) return "Missing Content-Length on a stream";
  if (!DIGITS.test(value)) return "Invalid Content-Length";
  return value.length > 15 ? Infinity : Number(value);
}

/**
 * Push chunks as they arrive; get back the frames they complete. Buffering is bounded:
 * a message that would exceed `maxMessageBytes` is a framing error as soon as that is
 * known (RFC 4475 §3.1.2.5 mcl01), so at most one partial message is ever held. After
 * an error the framer is spent and ignores further input.
 */
export class StreamFramer {
  private buffer: Buffer = EMPTY;
  /** How far into `buffer` the search for the end of the header has already looked. */
  private scanned = 0;
  private failed = false;

  constructor(private readonly maxMessageBytes: number) {}

  /** Octets held for a message not yet complete. */
  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): Frame[] {
    if (this.failed) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    for (let frame = this.next(); frame !== undefined; frame = this.next()) {
      frames.push(frame);
      if (frame.kind === "error") {
        this.failed = true;
        this.buffer = EMPTY;
        break;
      }
    }
    return frames;
  }

  private next(): Frame | undefined {
    this.skipCrlf();
    const buf = this.buffer;
    if (buf.length === 0) return undefined;
    if (buf.length >= PING.length && buf.subarray(0, PING.length).equals(PING)) {
      this.consume(PING.length);
      return PING_FRAME;
    }
    // A lone CR or CRLF may still grow into a ping: wait for the next octets.
    if (buf.length < PING.length && PING.subarray(0, buf.length).equals(buf)) return undefined;
    const end = headerEnd(buf, Math.max(0, this.scanned - 3));
    if (end === -1) {
      if (buf.length >= this.maxMessageBytes) return { kind: "error", reason: "Header larger than the message limit" };
      this.scanned = buf.length;
      return undefined;
    }
    const length = contentLength(buf.toString("latin1", 0, end));
    if (typeof length === "string") return { kind: "error", reason: length };
    const total = end + length;
    if (total > this.maxMessageBytes) return { kind: "error", reason: "Message larger than the limit" };
    // RFC 4475 §3.1.2.6 (clerr): a body shorter than Content-Length may still be on its
    // way; over a stream the reader waits for it (the idle timeout bounds the wait).
    if (buf.length < total) return undefined;
    const data = buf.subarray(0, total);
    this.consume(total);
    return { kind: "message", data };
  }

  /**
   * RFC 3261 §7.5: CRLFs before a start line are ignored. A lone CRLF is dropped only
   * once something other than CR follows it, since CRLF + CRLF is a keep-alive ping.
   */
  private skipCrlf(): void {
    let i = 0;
    const buf = this.buffer;
    while (i + 2 < buf.length && buf[i] === CR && buf[i + 1] === LF && buf[i + 2] !== CR) i += 2;
    if (i > 0) this.consume(i);
  }

  private consume(n: number): void {
    this.buffer = n >= this.buffer.length ? EMPTY : this.buffer.subarray(n);
    this.scanned = 0;
  }
}

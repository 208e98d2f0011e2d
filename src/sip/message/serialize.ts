import type { SipMessage } from "./message.js";

/**
 * Writes a message to wire bytes (RFC 3261 §7). Header fields go out as they were
 * read or set, in order; Content-Length always states the body's real length
 * (§20.14: it is mandatory on streams and harmless on datagrams).
 */
export function serialize(msg: SipMessage): Buffer {
  let head =
    msg.kind === "request" ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  let wroteLength = false;
  for (const f of msg.headers.fields) {
    if (f.key === "content-length") {
      if (wroteLength) continue;
      wroteLength = true;
      head += `${f.name}: ${msg.body.length}\r\n`;
    } else {
      head += `${f.name}: ${f.value}\r\n`;
    }
  }
  if (!wroteLength) head += `Content-Length: ${msg.body.length}\r\n`;
  head += "\r\n";
  const headLength = Buffer.byteLength(head, "latin1");
  const out = Buffer.allocUnsafe(headLength + msg.body.length);
  out.write(head, 0, "latin1");
  msg.body.copy(out, headLength);
  return out;
}

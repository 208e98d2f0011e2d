/**
 * The SIP message parser (RFC 3261 §7, §25). It reads the start line and splits the
 * header fields at once, checks the hot headers (Via, From, To, Call-ID, CSeq,
 * Max-Forwards, Content-Length), and leaves every other header to be parsed on use.
 * Header text is decoded as latin1 so that every octet survives a parse and
 * serialize round trip unchanged, whatever its encoding.
 */
import { headerKey, SINGLE_HEADER_BIT, trieName, trieStep } from "./header-names.js";
import { HeaderList, makeField, type HeaderField } from "./header-list.js";
import { isToken, isTokenChar, splitList } from "./lex.js";
import { DEFAULT_LIMITS, type ParseLimits } from "./limits.js";
import { SipRequest, SipResponse, address, parseCSeq, parseDecimal, parseMaxForwards, type CSeq, type SipMessage } from "./message.js";
import { parseVia } from "./via.js";
import { fail, SipParseError } from "./parse-error.js";

const CRLFCRLF = Buffer.from("\r\n\r\n");
const SIP_VERSION = /^SIP\/[0-9]+\.[0-9]+$/i;
const EMPTY = Buffer.alloc(0);
/** RFC 3261 §25.1: callid = word [ "@" word ]: no white space, at most one "@", not at either end. */
function isCallId(value: string): boolean {
  const at = value.indexOf("@");
  if (value.length === 0 || at === 0 || at === value.length - 1 || (at !== -1 && value.indexOf("@", at + 1) !== -1)) return false;
  return value.indexOf(" ") === -1 && value.indexOf("\t") === -1;
}
const REQUEST_URI_START = /^[A-Za-z][A-Za-z0-9+\-.]*:[^\s<>"]+$/;

/** Index of the first octet of the body: just past the empty line ending the headers. */
export function headerEnd(buf: Buffer, from = 0): number {
  const i = buf.indexOf(CRLFCRLF, from);
  return i === -1 ? -1 : i + 4;
}

/**
 * A datagram is a whole message, so one whose last header line ends without the
 * empty line (RFC 4475 §3.1.2.17 baddn) is still read to its end, and answered.
 */
function datagramHeaderEnd(buf: Buffer): number {
  const end = headerEnd(buf);
  if (end !== -1) return end;
  return buf.length >= 2 && buf[buf.length - 2] === 0x0d && buf[buf.length - 1] === 0x0a ? buf.length + 2 : -1;
}

/**
 * Parses one message. On a datagram (`stream: false`) octets past Content-Length are
 * ignored (RFC 3261 §18.3) and a missing Content-Length means "to the end"; a stream
 * transport frames first and hands over exactly one message.
 */
export function parseMessage(buf: Buffer, limits: ParseLimits = DEFAULT_LIMITS): SipMessage {
  if (buf.length > limits.maxMessageBytes) fail("SIP_MESSAGE_TOO_LARGE", "Message Too Large", 513);
  const end = datagramHeaderEnd(buf);
  if (end === -1) fail("SIP_NO_HEADER_END", "No empty line after the headers");
  const text = buf.toString("latin1", 0, end - 4);
  const lineEnd = text.indexOf("\r\n");
  const startLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
  if (startLine.length > limits.maxLineLength) fail("SIP_LINE_TOO_LONG", "Start line too long");

  const isResponse = /^SIP\//i.test(startLine);
  let request: { method: string; uri: string } | undefined;
  let startLineError: unknown;
  try {
    request = isResponse ? undefined : parseRequestLine(startLine);
  } catch (err) {
    startLineError = err;
  }
  const fields = lineEnd === -1 ? [] : splitHeaders(text, lineEnd + 2, limits);
  if (startLineError !== undefined) {
    // A bad Request-Line is still answered (400, or 505 for the version) when the
    // headers can be read: they say where the response goes.
    if (startLineError instanceof SipParseError) startLineError.partial = { method: startLine.split(" ")[0] ?? "", fields };
    throw startLineError;
  }
  const message: SipMessage = request
    ? new SipRequest(request.method, request.uri, new HeaderList(fields), EMPTY)
    : new SipResponse(...parseStatusLine(startLine), new HeaderList(fields), EMPTY);
  try {
    const contentLength = checkHotHeaders(message);
    const bodyStart = Math.min(end, buf.length);
    let bodyEnd = buf.length;
    if (contentLength !== undefined) {
      bodyEnd = bodyStart + contentLength;
      // RFC 3261 §18.3: a datagram shorter than Content-Length is answered 400.
      if (bodyEnd > buf.length) fail("SIP_TRUNCATED_BODY", "Content-Length larger than the message body");
    }
    message.body = bodyEnd === bodyStart ? EMPTY : buf.subarray(bodyStart, bodyEnd);
    return message;
  } catch (err) {
    if (err instanceof SipParseError && request) err.partial = { method: request.method, fields };
    throw err;
  }
}

function parseRequestLine(line: string): { method: string; uri: string } {
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF: one SP, exactly.
  const sp1 = line.indexOf(" ");
  const sp2 = sp1 === -1 ? -1 : line.indexOf(" ", sp1 + 1);
  if (sp2 === -1 || line.indexOf(" ", sp2 + 1) !== -1) fail("SIP_BAD_START_LINE", "Malformed Request-Line");
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) fail("SIP_BAD_START_LINE", "Malformed method");
  checkVersion(version);
  if (!REQUEST_URI_START.test(uri)) fail("SIP_BAD_URI", "Malformed Request-URI");
  // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI. The user part
  // may hold '?' (RFC 4475 §3.1.1.2), so only what follows the '@' is looked at.
  const lower = uri.slice(0, 5).toLowerCase();
  if ((lower.startsWith("sip:") || lower.startsWith("sips:")) && uri.indexOf("?", uri.lastIndexOf("@") + 1) !== -1) {
    fail("SIP_BAD_URI", "Headers not allowed in Request-URI");
  }
  return { method, uri };
}

function checkVersion(version: string): void {
  if (version === "SIP/2.0") return;
  if (!SIP_VERSION.test(version)) fail("SIP_BAD_VERSION", "Malformed SIP version");
  if (version.toUpperCase() !== "SIP/2.0") fail("SIP_UNSUPPORTED_VERSION", "Version Not Supported", 505);
}

function parseStatusLine(line: string): [number, string] {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
  const sp1 = line.indexOf(" ");
  const sp2 = sp1 === -1 ? -1 : line.indexOf(" ", sp1 + 1);
  if (sp1 === -1 || sp2 === -1) fail("SIP_BAD_START_LINE", "Malformed Status-Line");
  checkVersion(line.slice(0, sp1));
  const code = line.slice(sp1 + 1, sp2);
  if (!/^[1-6][0-9][0-9]$/.test(code)) fail("SIP_BAD_STATUS_CODE", "Status code out of range");
  return [Number(code), line.slice(sp2 + 1)];
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function splitHeaders(text: string, from: number, limits: ParseLimits): HeaderField[] {
  const fields: HeaderField[] = [];
  const n = text.length;
  let pos = from;
  while (pos < n) {
    let next = text.indexOf("\r\n", pos);
    if (next === -1) next = n;
    if (next - pos > limits.maxLineLength) fail("SIP_LINE_TOO_LONG", "Header line too long");
    // field-name is a token; RFC 3261 §7.3.1 allows LWS before the colon. The
    // name is looked up in the known-names trie as it is scanned.
    let i = pos;
    let node = 0;
    while (i < next) {
      const step = trieStep(node, text.charCodeAt(i));
      if (step < 0) break;
      node = step;
      i++;
    }
    // A name the trie does not know (or spells otherwise) goes on as a plain token.
    if (i < next && isTokenChar(text.charCodeAt(i))) {
      node = -1;
      while (i < next && isTokenChar(text.charCodeAt(i))) i++;
    }
    // A name spelled as phones spell it comes interned from the trie; any other spelling is cut from the text.
    const known = trieName(node);
    const name = known !== undefined ? known.name : text.slice(pos, i);
    while (i < next && isWs(text.charCodeAt(i))) i++;
    if (name.length === 0 || text.charCodeAt(i) !== 0x3a /* : */) fail("SIP_BAD_HEADER", "Malformed header line");
    let start = i + 1;
    while (start < next && isWs(text.charCodeAt(start))) start++;
    let end = next;
    while (end > start && isWs(text.charCodeAt(end - 1))) end--;
    let value = text.slice(start, end);
    pos = next + 2;
    // RFC 3261 §7.3.1: a line starting with SP or HT continues the previous one (LWS).
    while (pos < n && isWs(text.charCodeAt(pos))) {
      let cont = text.indexOf("\r\n", pos);
      if (cont === -1) cont = n;
      const more = text.slice(pos, cont).trim();
      if (more.length > 0) value = value.length === 0 ? more : `${value} ${more}`;
      pos = cont + 2;
      if (value.length > limits.maxLineLength) fail("SIP_LINE_TOO_LONG", "Header line too long");
    }
    const key = known !== undefined ? known.key : headerKey(name);
    // Via is split into one field a value so that a proxy can pop the top one.
    if (key === "via" && value.indexOf(",") !== -1) {
      for (const v of splitList(value, "SIP_BAD_VIA")) fields.push(makeField(name, key, v));
    } else {
      fields.push(makeField(name, key, value));
    }
    if (fields.length > limits.maxHeaders) fail("SIP_TOO_MANY_HEADERS", "Too many header fields");
  }
  return fields;
}

const REQUIRED = SINGLE_HEADER_BIT["call-id"]! | SINGLE_HEADER_BIT.from! | SINGLE_HEADER_BIT.to! | SINGLE_HEADER_BIT.cseq!;

/**
 * RFC 3261 §8.2 and §16.3: the checks every element makes before it acts on a
 * message, in one pass over the fields. The parsed values are cached on their
 * fields, where the message's getters find them.
 */
function checkHotHeaders(message: SipMessage): number | undefined {
  let seen = 0;
  let sawVia = false;
  let contentLength: number | undefined;
  let cseq: CSeq | undefined;
  // RFC 4475 §3.1.2.13: several Call-ID, To, From, CSeq or Max-Forwards values are 400.
  const once = (f: HeaderField): void => {
    const bit = SINGLE_HEADER_BIT[f.key]!;
    if (seen & bit) fail("SIP_DUPLICATE_HEADER", `More than one ${f.name} header`);
    seen |= bit;
  };
  for (const f of message.headers.fields) {
    switch (f.key) {
      case "via":
        if (!sawVia) f.parsed = parseVia(f.value);
        sawVia = true;
        break;
      case "from":
      case "to":
        once(f);
        // The tags, at once; the rest of the address when someone asks for it.
        address(f);
        break;
      case "call-id":
        once(f);
        if (!isCallId(f.value)) fail("SIP_BAD_HEADER", "Malformed Call-ID");
        break;
      case "cseq":
        once(f);
        f.parsed = cseq = parseCSeq(f.value);
        break;
      case "max-forwards":
        once(f);
        f.parsed = parseMaxForwards(f.value);
        break;
      case "content-length":
        once(f);
        // 2**24 is far past any message limit; a larger value is a lie, never an index.
        contentLength = parseDecimal(f.value, "Content-Length", 2 ** 24, "SIP_BAD_CONTENT_LENGTH");
        break;
    }
  }
  if (!sawVia) fail("SIP_MISSING_HEADER", "Missing Via header");
  if ((seen & REQUIRED) !== REQUIRED) fail("SIP_MISSING_HEADER", "Missing Call-ID, From, To or CSeq header");
  if (message.kind === "request" && cseq!.method !== message.method) {
    fail("SIP_CSEQ_MISMATCH", "CSeq method does not match the request method");
  }
  return contentLength;
}

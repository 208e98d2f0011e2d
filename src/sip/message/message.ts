/**
 * SIP requests and responses (RFC 3261 §7). The hot headers (Via, From/To, Call-ID,
 * CSeq, Max-Forwards, Content-Length) are checked when the message is parsed and
 * their structured values cached on the header field; everything else is parsed on
 * demand by the caller that needs it.
 */
import { HeaderList, type HeaderField } from "./header-list.js";
import { headerKey } from "./header-names.js";
import { parseNameAddr, scanTag, type NameAddr } from "./name-addr.js";
import { splitList } from "./lex.js";
import { fail, type ParseErrorCode } from "./parse-error.js";
import { parseUri, type Uri } from "./uri.js";
import { parseVia, type Via } from "./via.js";

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** RFC 3261 §8.1.1.5: the sequence number is a 32-bit unsigned integer below 2**31. */
const CSEQ_LIMIT = 2 ** 31;
const DIGITS = /^[0-9]+$/;

export function parseCSeq(value: string): CSeq {
  const space = value.search(/[ \t]/);
  if (space <= 0) fail("SIP_BAD_HEADER", "Malformed CSeq");
  const digits = value.slice(0, space);
  const method = value.slice(space).trim();
  if (!DIGITS.test(digits) || method.length === 0 || /[ \t]/.test(method)) fail("SIP_BAD_HEADER", "Malformed CSeq");
  const seq = digits.length > 10 ? Infinity : Number(digits);
  if (seq >= CSEQ_LIMIT) fail("SIP_BAD_HEADER", "CSeq number out of range");
  return { seq, method };
}

/** A non-negative decimal (Max-Forwards, Content-Length, Expires), or `fail`. */
export function parseDecimal(value: string, what: string, max: number, code: ParseErrorCode = "SIP_BAD_HEADER"): number {
  if (!DIGITS.test(value)) fail(code, `Malformed ${what}`);
  const n = value.length > 15 ? Infinity : Number(value);
  if (n > max) fail(code, `${what} out of range`);
  return n;
}

/** RFC 4475 §3.1.2.4: an overlarge Max-Forwards may be treated as the default. */
export function parseMaxForwards(value: string): number {
  return Math.min(parseDecimal(value, "Max-Forwards", Infinity), 255);
}

function cached<T>(field: HeaderField, parse: (value: string) => T): T {
  if (field.parsed === undefined) field.parsed = parse(field.value);
  return field.parsed as T;
}

/** What a From or To field caches: its tag at once, the whole address and its URI when asked for. */
export interface AddressCache {
  readonly tag: string | undefined;
  full?: NameAddr;
  uri?: Uri;
}

/** One address of a list header (Contact, Route, Record-Route, Path) and its URI, both parsed in full. */
export interface ParsedAddress {
  readonly nameAddr: NameAddr;
  readonly uri: Uri;
}

const NO_ADDRESSES: readonly ParsedAddress[] = Object.freeze([]);

/**
 * The addresses one field holds, parsed once: a UAS checks them and then acts on them.
 * "Contact: *" (RFC 3261 §10.2.2) is no address and is left out; a "*" in Route,
 * Record-Route or Path is refused like any other bad address.
 */
function fieldAddresses(field: HeaderField): readonly ParsedAddress[] {
  return cached(field, (value) =>
    splitList(value, "SIP_BAD_HEADER")
      .filter((v) => v !== "*" || field.key !== "contact")
      .map((v) => {
        const nameAddr = parseNameAddr(v);
        return { nameAddr, uri: parseUri(nameAddr.uri) };
      }),
  );
}

export function address(field: HeaderField): AddressCache {
  if (field.parsed === undefined) field.parsed = { tag: scanTag(field.value) } satisfies AddressCache;
  return field.parsed as AddressCache;
}

function required(headers: HeaderList, name: string): HeaderField {
  return headers.field(name) ?? fail("SIP_MISSING_HEADER", `Missing ${name} header`);
}

abstract class SipMessageBase {
  constructor(
    public headers: HeaderList,
    public body: Buffer,
  ) {}

  get callId(): string {
    return required(this.headers, "Call-ID").value;
  }

  get cseq(): CSeq {
    return cached(required(this.headers, "CSeq"), parseCSeq);
  }

  /** The topmost Via (one value a field: the parser splits comma-joined Via fields). */
  get via(): Via {
    return cached(required(this.headers, "Via"), parseVia);
  }

  get vias(): Via[] {
    return this.headers.all("Via").map((f) => cached(f, parseVia));
  }

  /** The From address, parsed in full on first use (its tag is read at parse time). */
  get from(): NameAddr {
    const field = required(this.headers, "From");
    return (address(field).full ??= parseNameAddr(field.value));
  }

  get to(): NameAddr {
    const field = required(this.headers, "To");
    return (address(field).full ??= parseNameAddr(field.value));
  }

  /** The From URI, parsed in full on first use. */
  get fromUri(): Uri {
    return (address(required(this.headers, "From")).uri ??= parseUri(this.from.uri));
  }

  get toUri(): Uri {
    return (address(required(this.headers, "To")).uri ??= parseUri(this.to.uri));
  }

  /**
   * Every address of a list header (RFC 3261 §7.3.1: comma-joined fields split), in
   * order, parsed on first use. The sanity checks ask this of four headers on every
   * request, most of them absent: nothing is allocated for those.
   */
  addresses(name: string): readonly ParsedAddress[] {
    const key = headerKey(name);
    let all: readonly ParsedAddress[] = NO_ADDRESSES;
    for (const field of this.headers.fields) {
      if (field.key !== key) continue;
      const here = fieldAddresses(field);
      all = all.length === 0 ? here : [...all, ...here];
    }
    return all;
  }

  get fromTag(): string | undefined {
    return address(required(this.headers, "From")).tag;
  }

  get toTag(): string | undefined {
    return address(required(this.headers, "To")).tag;
  }

  get maxForwards(): number | undefined {
    const field = this.headers.field("Max-Forwards");
    return field && cached(field, parseMaxForwards);
  }

  header(name: string): string | undefined {
    return this.headers.get(name);
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = "request";
  private parsedUri: Uri | undefined;

  constructor(
    public method: string,
    private rawUri: string,
    headers: HeaderList,
    body: Buffer,
  ) {
    super(headers, body);
  }

  get uri(): string {
    return this.rawUri;
  }

  set uri(value: string) {
    this.rawUri = value;
    this.parsedUri = undefined;
  }

  /** The Request-URI parsed (RFC 3261 §19.1), on first use. */
  get requestUri(): Uri {
    return (this.parsedUri ??= parseUri(this.rawUri));
  }

  /** A copy whose header list can be changed without touching this one (RFC 3261 §16.6 step 1). */
  clone(): SipRequest {
    return new SipRequest(this.method, this.rawUri, this.headers.clone(), this.body);
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = "response";

  constructor(
    public status: number,
    public reason: string,
    headers: HeaderList,
    body: Buffer,
  ) {
    super(headers, body);
  }

  clone(): SipResponse {
    return new SipResponse(this.status, this.reason, this.headers.clone(), this.body);
  }
}

export type SipMessage = SipRequest | SipResponse;

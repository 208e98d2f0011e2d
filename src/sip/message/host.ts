import { isIPv6 } from "node:net";
import { fail, type ParseErrorCode } from "./parse-error.js";

export interface HostPort {
  /** As written, IPv6 references with their brackets (RFC 3261 §25.1 hostport). */
  readonly host: string;
  readonly port?: number;
}

function isHostnameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

/**
 * RFC 5118 §4.10: `2001:db8:::192.0.2.1` is allowed by RFC 3261's ABNF but is not an
 * IPv6 address; by the robustness principle it is read as `2001:db8::192.0.2.1`.
 */
export function normaliseIPv6(address: string): string {
  return address.replace(":::", "::");
}

/** Parses hostport at `start`; returns it and the index just past it. */
export function parseHostPort(s: string, start: number, code: ParseErrorCode, what: string): [HostPort, number] {
  let i = start;
  let host: string;
  if (s.charCodeAt(i) === 0x5b /* [ */) {
    const close = s.indexOf("]", i);
    if (close === -1) fail(code, `Unterminated IPv6 reference in ${what}`);
    if (!isIPv6(normaliseIPv6(s.slice(i + 1, close)))) fail(code, `Bad IPv6 reference in ${what}`);
    host = s.slice(i, close + 1);
    i = close + 1;
  } else {
    while (i < s.length && isHostnameChar(s.charCodeAt(i))) i++;
    if (i === start) fail(code, `Missing host in ${what}`);
    host = s.slice(start, i);
  }
  if (s.charCodeAt(i) !== 0x3a /* : */) return [{ host }, i];
  i++;
  const portStart = i;
  let port = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    port = port * 10 + (c - 0x30);
    if (port > 65535) fail(code, `Port out of range in ${what}`);
    i++;
  }
  // RFC 5118 §4.2: an IPv6 address outside brackets is not a host and is refused
  // here, as the text after its first colon is no port.
  if (i === portStart || s.charCodeAt(i) === 0x3a) {
    fail(code, s.charCodeAt(start) === 0x5b ? `Empty port in ${what}` : `Bad port (IPv6 address without brackets?) in ${what}`);
  }
  return [{ host, port }, i];
}

export function formatHostPort(hp: HostPort): string {
  return hp.port === undefined ? hp.host : `${hp.host}:${hp.port}`;
}

/** The host without IPv6 brackets, as a socket address wants it. */
export function bareHost(host: string): string {
  return host.charCodeAt(0) === 0x5b ? normaliseIPv6(host.slice(1, -1)) : host;
}

/** The host as a URI or Via wants it: IPv6 literals in brackets. */
export function uriHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

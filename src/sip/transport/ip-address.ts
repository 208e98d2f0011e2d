/** IP address forms as sockets report them and as Via headers write them. */
import { isIPv4, isIPv6 } from "node:net";

const V4_MAPPED = "::ffff:";

/**
 * The address of a peer as the SIP layer should see it. A dual-stack socket reports an
 * IPv4 peer as `::ffff:192.0.2.1`; its `received` and its flows are those of 192.0.2.1.
 */
export function peerAddress(address: string): string {
  if (address.length > V4_MAPPED.length && address.slice(0, V4_MAPPED.length).toLowerCase() === V4_MAPPED) {
    const v4 = address.slice(V4_MAPPED.length);
    if (isIPv4(v4)) return v4;
  }
  return address;
}

/**
 * 6 for an IPv6 literal, 4 otherwise (IPv4 literals, and host names, which resolve to
 * IPv4 first). Every send asks: only an address with a colon can be IPv6, and that test
 * spares IPv4 the long IPv6 pattern behind isIPv6.
 */
export function family(address: string): 4 | 6 {
  return address.includes(":") && isIPv6(address) ? 6 : 4;
}

/** IPv6 in one written form (RFC 5952, as the WHATWG URL parser writes it), so that ::1 equals 0:0:0:0:0:0:0:1. */
function canonical(address: string): string {
  if (family(address) === 4) return address.toLowerCase();
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return address.toLowerCase(); // a zone index (fe80::1%eth0) is not URL syntax; compare as written
  }
}

/** Whether two addresses (bare, no brackets) name the same host address. */
export function sameAddress(a: string, b: string): boolean {
  return a === b || canonical(a) === canonical(b);
}

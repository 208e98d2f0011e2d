/**
 * What the transport layer reads and writes in the topmost Via: the `received` and
 * `rport` stamps on a request that arrives (RFC 3261 §18.2.1, RFC 3581 §4), the
 * address a response goes back to (§18.2.2), and the transport of a request it moves
 * from UDP to TCP (§18.1.1).
 */
import { bareHost, findParam, formatVia, withParam, type SipMessage, type SipRequest, type Via } from "../message/index.js";
import { defaultPort, isReliable, type Endpoint, type Source } from "./endpoint.js";
import { sameAddress } from "./ip-address.js";

/** Replaces the top Via value in place, keeping the field name as the sender wrote it. */
export function replaceTopVia(message: SipMessage, via: Via): void {
  const fields = message.headers.fields;
  const index = fields.findIndex((f) => f.key === "via");
  const old = fields[index];
  if (old === undefined) throw new Error("replaceTopVia: message has no Via");
  fields[index] = { name: old.name, key: old.key, value: formatVia(via), parsed: via };
}

/**
 * Stamps the top Via of a request that arrived from `source`.
 * RFC 3261 §18.2.1: if the sent-by host is a domain name or an IP address other than
 * the packet's source, the server MUST add `received` with the source address.
 * RFC 3581 §4: an `rport` without a value MUST be set to the source port, and then
 * `received` MUST be added even when it equals the sent-by host.
 */
export function stampReceived(request: SipRequest, source: Endpoint): void {
  const via = request.via;
  const rport = findParam(via.params, "rport");
  const fillRport = rport !== undefined && rport.value === null;
  if (!fillRport && sameAddress(bareHost(via.host), source.address)) return;
  let params = fillRport ? via.params.map((p) => (p === rport ? { name: p.name, value: String(source.port) } : p)) : via.params;
  // RFC 5118 §4.5: an IPv6 received is written without brackets.
  params = withParam(params, "received", source.address);
  replaceTopVia(request, { ...via, params });
}

function portParam(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^[0-9]{1,5}$/.test(value)) return undefined;
  const port = Number(value);
  return port > 0 && port <= 65535 ? port : undefined;
}

/**
 * Where a response goes, from its top Via and the source of the request it answers.
 * For a reliable transport the result carries the request's connection, which the
 * caller uses while it is open; the address and port are where to reconnect.
 */
export function responseTarget(via: Via, requestSource: Source): Endpoint {
  const transport = requestSource.transport;
  const received = findParam(via.params, "received")?.value ?? undefined;
  const sentByPort = via.port ?? defaultPort(transport);
  const address = bareHost(received ?? via.host);
  if (isReliable(transport)) {
    // RFC 3261 §18.2.2: a reliable response MUST go over the connection the request came
    // on if it is still open; if not, the server SHOULD open one to the `received`
    // address (else the sent-by host) and the sent-by port (else the default port).
    return { transport, address, port: sentByPort, connectionId: requestSource.connectionId };
  }
  // RFC 3261 §18.2.2: with `maddr` the response MUST go to that address at the sent-by
  // port. (A multicast maddr would also want the Via `ttl`; this layer joins no groups.)
  const maddr = findParam(via.params, "maddr")?.value;
  if (maddr) return { transport, address: bareHost(maddr), port: sentByPort };
  // RFC 3581 §4: with `received` and `rport` (and no maddr), the response MUST go to the
  // received address and the rport port.
  const rport = portParam(findParam(via.params, "rport")?.value);
  if (received !== undefined && rport !== undefined) return { transport, address, port: rport };
  // RFC 3261 §18.2.2: otherwise to `received` (else sent-by) at the sent-by port, or 5060.
  return { transport, address, port: sentByPort };
}

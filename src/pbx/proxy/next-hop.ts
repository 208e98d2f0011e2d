/**
 * Where a request goes next (RFC 3261 §16.6 step 7, §8.1.2): the top Route when
 * there is one, else the Request-URI; its transport from `transport=` (UDP by
 * default, TLS for sips), its port by default 5060/5061. Host names are resolved
 * with the system resolver (A/AAAA; RFC 3263 NAPTR/SRV is not done here).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { bareHost, fail, isSipUri, parseNameAddr, parseUri, uriTransport, type SipRequest } from "../../sip/message/index.js";
import { defaultPort, type Endpoint, type TransportName } from "../../sip/transport/index.js";

const TRANSPORTS = new Set<TransportName>(["UDP", "TCP", "TLS", "WS", "WSS"]);

export async function resolveUri(value: string): Promise<Endpoint> {
  const uri = parseUri(value);
  if (!isSipUri(uri)) fail("SIP_BAD_URI", `Cannot route to a ${uri.scheme} URI`, 416);
  let transport = uriTransport(uri) as TransportName;
  if (!TRANSPORTS.has(transport)) transport = "UDP";
  const host = bareHost(uri.host);
  const address = isIP(host) ? host : (await lookup(host)).address;
  return { transport, address, port: uri.port ?? defaultPort(transport) };
}

export function nextHopUri(request: SipRequest): string {
  const route = request.headers.values("Route")[0];
  return route === undefined ? request.uri : parseNameAddr(route).uri;
}

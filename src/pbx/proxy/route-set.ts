/**
 * Route information preprocessing (RFC 3261 §16.4): undo a strict router's
 * rewrite of the Request-URI, and take off the Route entries this cluster put in
 * Record-Route, so that the next hop is the first Route that is not ours, or else
 * the Request-URI (loose routing, §16.12).
 */
import { parseNameAddr, type SipRequest } from "../../sip/message/index.js";
import type { Flow, ProxyIdentity } from "./proxy-identity.js";

function setRoutes(request: SipRequest, routes: readonly string[]): void {
  request.headers.remove("Route");
  for (const route of routes) request.headers.append("Route", route);
}

export interface RoutePreprocessed {
  /** A Route entry of ours was removed: the request was routed through this cluster on purpose. */
  readonly ours: boolean;
  /** The phone flow an entry of ours named: the request goes over it, not to its Request-URI. */
  readonly flow?: Flow;
}

export function preprocessRoutes(request: SipRequest, identity: ProxyIdentity): RoutePreprocessed {
  let routes = request.headers.values("Route");
  let ours = false;
  // §16.4: "If the Request-URI contains a value this proxy previously placed into a
  // Record-Route header field, the proxy MUST replace the Request-URI with the last
  // value from the Route header field, and remove that value" (a strict router upstream).
  if (identity.isOwn(request.uri) && routes.length > 0) {
    request.uri = parseNameAddr(routes[routes.length - 1]!).uri;
    routes = routes.slice(0, -1);
    ours = true;
  }
  // §16.4: "If the first value in the Route header field indicates this proxy, the
  // proxy MUST remove that value" (twice with double record-routing, RFC 5658).
  let skip = 0;
  let flow: Flow | undefined;
  while (skip < routes.length && identity.isOwn(routes[skip]!)) flow = identity.flowOf(routes[skip++]!) ?? flow;
  if (skip > 0 || ours) setRoutes(request, routes.slice(skip));
  // A flow counts only when no further Route leads elsewhere first.
  return { ours: ours || skip > 0, ...(flow && skip === routes.length && { flow }) };
}

/**
 * The copy of a request a proxy forwards to one target (RFC 3261 §16.6 steps 1–6).
 * The Via (step 8) is added once the next hop, and so the local socket, is known.
 */
import type { SipRequest } from "../../sip/message/index.js";
import type { BranchTarget } from "./branch-target.js";

export function forwardedRequest(request: SipRequest, target: BranchTarget): SipRequest {
  // Step 1: a copy, so that every branch can change its own.
  const out = request.clone();
  // Step 2: the Request-URI is the target.
  out.uri = target.uri;
  // Step 3: Max-Forwards less one (70 when the request had none, §8.1.1.6).
  const mf = request.maxForwards;
  out.headers.set("Max-Forwards", String(mf === undefined ? 70 : mf - 1));
  // Step 6: a target's pre-loaded route (RFC 3327 Path) goes on top of any Route.
  for (const route of [...(target.route ?? [])].reverse()) out.headers.prepend("Route", route);
  for (const [name, value] of target.headers ?? []) out.headers.append(name, value);
  return out;
}

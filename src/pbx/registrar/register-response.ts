/**
 * The 200 to a REGISTER (RFC 3261 §10.3 step 8): every current binding with the
 * seconds it has left, a Date, and what RFC 3327 (Path) and RFC 5626 (outbound)
 * add.
 */
import { createResponse, type SipRequest, type SipResponse } from "../../sip/message/index.js";
import type { Binding } from "../../state/index.js";

function contactValue(binding: Binding, now: number): string {
  let value = `<${binding.contact}>;expires=${Math.max(0, Math.round((binding.expiresAt - now) / 1000))}`;
  if (binding.q !== undefined) value += `;q=${binding.q}`;
  if (binding.instanceId !== undefined) value += `;+sip.instance="${binding.instanceId}"`;
  if (binding.regId !== undefined) value += `;reg-id=${binding.regId}`;
  return value;
}

export function registerOk(request: SipRequest, bindings: readonly Binding[], now: number): SipResponse {
  const response = createResponse(request, 200);
  // RFC 3261 §10.3 step 8: "Each Contact value MUST feature an 'expires' parameter".
  for (const binding of bindings) response.headers.append("Contact", contactValue(binding, now));
  response.headers.set("Date", new Date(now).toUTCString());
  // RFC 3327 §5.3: the registrar returns the Path it stored when the UA supports path.
  const supported = request.headers.values("Supported").map((t) => t.toLowerCase());
  const path = request.headers.values("Path");
  if (path.length > 0 && supported.includes("path")) for (const p of path) response.headers.append("Path", p);
  // RFC 5626 §6: "the registrar MUST include the 'outbound' option-tag in a Require header
  // field of its 2xx response" when it used the reg-id of a Contact.
  if (bindings.some((b) => b.regId !== undefined && b.callId === request.callId)) response.headers.set("Require", "outbound");
  return response;
}

/**
 * Choosing the response a forking proxy sends upstream when every branch has
 * ended without a 2xx (RFC 3261 §16.7 step 6), and aggregating challenges.
 */
import { createResponse, type SipRequest, type SipResponse } from "../../sip/message/index.js";

/** §16.7 step 6: among 4xx, these tell the caller what to change, so they win. */
const ACTIONABLE_4XX = [401, 407, 415, 420, 484];

function rank(status: number): number {
  // 6xx first; then the lowest class; within 4xx the actionable ones first.
  if (status >= 600) return 0;
  const cls = Math.floor(status / 100);
  return cls * 1000 + (cls === 4 && ACTIONABLE_4XX.includes(status) ? 0 : status);
}

/**
 * The best of the final responses gathered, or a 408 when there are none (every
 * branch timed out, §16.7 step 6: "If no final response has been received... 408").
 */
export function bestResponse(request: SipRequest, finals: readonly SipResponse[]): SipResponse {
  if (finals.length === 0) return createResponse(request, 408);
  const chosen = finals.reduce((a, b) => (rank(b.status) < rank(a.status) ? b : a));
  const best = chosen.clone();
  // §16.7 step 6: "If the selected response is a 503, the proxy MUST convert it to a 500".
  if (best.status === 503) {
    best.status = 500;
    best.reason = "Server Internal Error";
    best.headers.remove("Retry-After");
  }
  // §16.7 step 7: a 401/407 carries every challenge gathered from every branch.
  if (best.status === 401 || best.status === 407) {
    for (const other of finals) {
      if (other === chosen || (other.status !== 401 && other.status !== 407)) continue;
      for (const name of ["WWW-Authenticate", "Proxy-Authenticate"]) for (const v of other.headers.values(name)) best.headers.append(name, v);
    }
  }
  return best;
}

/**
 * Overload protection (RFC 3261 §21.5.4): while the node's event loop lags, new work
 * (a call, a registration, a subscription, a message outside a dialog) is refused with
 * 503 Service Unavailable and a Retry-After, so that phones and trunks back off or try
 * the other node (RFC 3263 §4.3), and the calls already up keep their in-dialog
 * requests (BYE, re-INVITE, ACK, CANCEL) flowing. Without it a saturated node answers
 * everything late: phones retransmit, the retransmissions add load, and nearly every
 * call fails instead of a share of them being turned away at once.
 */
import { createResponse } from "../../sip/message/index.js";
import type { Stage } from "./incoming-request.js";

/** The requests that start new work; everything else belongs to work already accepted. */
const NEW_WORK = new Set(["INVITE", "REGISTER", "SUBSCRIBE", "MESSAGE"]);

export interface LoadShedding {
  /** Whether the node is shedding now. */
  readonly overloaded: () => boolean;
  readonly retryAfterSeconds: number;
  /** Counts each refused request, for metrics. */
  readonly count?: () => void;
}

export function loadShedding({ overloaded, retryAfterSeconds, count }: LoadShedding): Stage {
  return (incoming) => {
    const { request } = incoming;
    // A To tag marks a request inside a dialog (RFC 3261 §12.2): work already accepted.
    if (!NEW_WORK.has(request.method) || request.toTag !== undefined || !overloaded()) return "next";
    const response = createResponse(request, 503);
    response.headers.set("Retry-After", String(retryAfterSeconds));
    incoming.respond(response);
    count?.();
    return "handled";
  };
}

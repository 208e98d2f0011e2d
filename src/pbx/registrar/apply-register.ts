/**
 * The registrar's decision, pure: given an AOR's current bindings and what a
 * REGISTER asks for, the new set of bindings, or the refusal the REGISTER gets
 * (RFC 3261 §10.3 steps 6–7). The state store runs it atomically per AOR.
 */
import { bindingKey, type Binding, type BindingSource, type UpdateRefusal } from "../../state/index.js";
import { comparableUri } from "../../sip/message/index.js";
import type { RegisterRequest } from "./requested-contacts.js";

export interface RegistrarPolicy {
  /** RFC 3261 §10.3 step 7: a shorter, non-zero expiry is refused with 423 and Min-Expires. */
  readonly minExpires: number;
  /** Longer requests are shortened to this. */
  readonly maxExpires: number;
  /** Bindings one AOR may hold at once (desk phone, softphone, mobile client...). */
  readonly maxContacts: number;
}

/** Who is registering and how it reached this node. */
export interface RegisterContext {
  readonly aor: string;
  readonly callId: string;
  readonly cseq: number;
  readonly source: BindingSource;
  readonly node: string;
  readonly path: readonly string[];
  readonly userAgent?: string;
}

export interface RegisterRefusal extends UpdateRefusal {
  readonly status: number;
  /** For a 423: the Min-Expires to send. */
  readonly minExpires?: number;
}

/** A reason phrase that says what happened (and, unlike "CSeq", does not upset sipp 3.6's response matching). */
const OUT_OF_ORDER = "Out of order: this Call-ID already registered a higher sequence number";

function refuse(status: number, reason: string, minExpires?: number): RegisterRefusal {
  return { kind: "refused", status, reason, ...(minExpires !== undefined && { minExpires }) };
}

/**
 * RFC 3261 §10.3 step 7: a binding of the same Call-ID may only be changed by a
 * higher CSeq; "If not, the update MUST be aborted and the request fails."
 */
function outOfOrder(existing: Binding, ctx: RegisterContext): boolean {
  return existing.callId === ctx.callId && ctx.cseq <= existing.cseq;
}

export function applyRegister(
  current: readonly Binding[],
  request: RegisterRequest,
  ctx: RegisterContext,
  policy: RegistrarPolicy,
  now: number,
): readonly Binding[] | RegisterRefusal {
  if (request.kind === "remove-all") {
    // RFC 3261 §10.3 step 6: "*" removes every binding, each subject to the Call-ID/CSeq rule.
    if (current.some((b) => outOfOrder(b, ctx))) return refuse(500, OUT_OF_ORDER);
    return [];
  }
  const next = new Map(current.map((b) => [b.key, b]));
  for (const contact of request.contacts) {
    const expires = Math.min(contact.expires, policy.maxExpires);
    if (expires > 0 && expires < policy.minExpires) return refuse(423, "Interval Too Brief", policy.minExpires);
    const key = bindingKey(contact, comparableUri(contact.uri));
    const existing = next.get(key);
    if (existing && outOfOrder(existing, ctx)) return refuse(500, OUT_OF_ORDER);
    if (expires === 0) {
      next.delete(key);
      continue;
    }
    next.set(key, {
      key,
      aor: ctx.aor,
      contact: contact.contact,
      expiresAt: now + expires * 1000,
      ...(contact.q !== undefined && { q: contact.q }),
      callId: ctx.callId,
      cseq: ctx.cseq,
      ...(contact.instanceId !== undefined && { instanceId: contact.instanceId }),
      ...(contact.regId !== undefined && { regId: contact.regId }),
      path: ctx.path,
      source: ctx.source,
      node: ctx.node,
      ...(ctx.userAgent !== undefined && { userAgent: ctx.userAgent }),
      registeredAt: now,
    });
  }
  if (next.size > policy.maxContacts) return refuse(403, `No more than ${policy.maxContacts} contacts for one user`);
  return [...next.values()];
}

/**
 * The CANCEL of a forwarded INVITE (RFC 3261 §9.1): the INVITE's Request-URI,
 * Call-ID, To, From and CSeq number with method CANCEL, its Route set, and a single
 * Via equal to the INVITE's top Via, so that the next hop matches it to the INVITE.
 */
import { HeaderList, SipRequest } from "../../sip/message/index.js";

const COPIED = new Set(["call-id", "to", "from", "route", "max-forwards"]);

export function cancelFor(invite: SipRequest): SipRequest {
  const headers = new HeaderList([]);
  headers.append("Via", invite.headers.get("Via")!);
  for (const f of invite.headers.fields) if (COPIED.has(f.key)) headers.fields.push(f);
  headers.set("CSeq", `${invite.cseq.seq} CANCEL`);
  return new SipRequest("CANCEL", invite.uri, headers, Buffer.alloc(0));
}

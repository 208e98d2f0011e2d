import { HeaderList, headerField, SipRequest, type HeaderField, type SipResponse } from "../message/index.js";

/**
 * RFC 3261 §17.1.1.3: the ACK an INVITE client transaction builds for a 300-699
 * response. It is hop-by-hop: it goes to the same place as the INVITE, with the
 * INVITE's branch, so the next hop's server transaction absorbs it. The INVITE's fields
 * are read when the response arrives, so they hold whatever the transport wrote into
 * the request it sent (the sent-by of the Via).
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = invite.headers;
  const fields: HeaderField[] = [
    // "The ACK MUST contain a single Via header field, and this MUST be equal to the
    // top Via header field of the original request."
    ...headers.all("Via").slice(0, 1),
    // "If the INVITE request whose response is being acknowledged had Route header
    // fields, those header fields MUST appear in the ACK."
    ...headers.all("Route"),
    ...headers.all("Max-Forwards"),
    // "...Call-ID, From, and Request-URI that are equal to the values of those header
    // fields in the request passed to the transport by the client transaction."
    ...headers.all("From"),
    // "The To header field in the ACK MUST equal the To header field in the response
    // being acknowledged" (so it carries the tag the server chose).
    ...response.headers.all("To").slice(0, 1),
    ...headers.all("Call-ID"),
    // "The CSeq header field in the ACK MUST contain the same value for the sequence
    // number as was present in the original request, but the method parameter MUST be
    // equal to "ACK"."
    headerField("CSeq", `${invite.cseq.seq} ACK`),
  ];
  return new SipRequest("ACK", invite.uri, new HeaderList(fields), Buffer.alloc(0));
}

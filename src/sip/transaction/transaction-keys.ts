/**
 * The keys transactions are filed under (RFC 3261 §17.1.3, §17.2.3), each a string built
 * from one message, so that finding a transaction is one Map look-up; built by
 * `joinedKey`, so that a key outliving its message does not keep the message's text.
 */
import { MAGIC_COOKIE, type SipRequest } from "../message/index.js";
import { joinedKey } from "../detached-string.js";

/**
 * RFC 3261 §17.2.3: a branch that begins with the magic cookie identifies a transaction
 * on its own. RFC 4475 §3.2.1 (badbranch): the bare cookie, with nothing after it, is no
 * identifier at all, so such a request is matched the RFC 2543 way.
 */
export function hasUniqueBranch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}

/**
 * RFC 3261 §17.1.3: a response matches a client transaction if the branch of its top Via
 * and the method of its CSeq are those of the request ("The method is needed since a
 * CANCEL request constitutes a different transaction, but shares the same value of the
 * branch parameter").
 */
export function clientKey(branch: string, method: string): string {
  return joinedKey(branch, method);
}

/**
 * The key of the server transaction a request belongs to, as if its method were
 * `method`: INVITE for an ACK (§17.2.3) and for the CANCEL of an INVITE (§9.2: "the
 * CANCEL request is matched [...] using the procedures of Section 17.2.3, but with the
 * method of the request it cancels").
 */
export function serverKey(request: SipRequest, method: string): string {
  const via = request.via;
  if (hasUniqueBranch(via.branch)) {
    // RFC 3261 §17.2.3: "1. the branch parameter in the request is equal to the one in the
    // top Via header field of the request that created the transaction, and 2. the
    // sent-by value in the top Via of the request is equal to the one in the request that
    // created the transaction, and 3. the method of the request matches the one that
    // created the transaction, except for ACK, where the method of the request that
    // created the transaction is INVITE." Host names are case-insensitive.
    return joinedKey(via.branch, `${via.host.toLowerCase()}:${via.port ?? ""}`, method);
  }
  return legacyServerKey(request, method, request.toTag);
}

/**
 * RFC 3261 §17.2.3, for requests from RFC 2543 elements: "The INVITE request matches a
 * transaction if the Request-URI, To tag, From tag, Call-ID, CSeq, and top Via header
 * field match those of the INVITE request which created the transaction." The To tag is
 * a parameter because an ACK is looked up with the tag its INVITE had (see
 * `TransactionLayer`), not the one it carries.
 */
export function legacyServerKey(request: SipRequest, method: string, toTag: string | undefined): string {
  const cseq = request.cseq.seq;
  return joinedKey("2543", method, request.uri, toTag ?? "", request.fromTag ?? "", request.callId, cseq, request.headers.get("Via") ?? "");
}

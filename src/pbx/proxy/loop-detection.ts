/**
 * Loop detection (RFC 3261 §16.3 step 4, §16.6 step 8): the branch this proxy puts
 * in its Via carries a hash of the fields that identify the request as it arrived
 * (Request-URI, From tag, To tag, Call-ID, CSeq number). A request that comes back
 * with a Via of ours whose hash equals its own has looped (482); one whose
 * Request-URI was changed on the way has spiralled, which is allowed (a call
 * forwarded to a legacy PBX and back for another number).
 */
import { createHash } from "node:crypto";
import { MAGIC_COOKIE, newBranch, type SipRequest, type Via } from "../../sip/message/index.js";

const PREFIX = `${MAGIC_COOKIE}-sg-`;

function loopHash(request: SipRequest): string {
  return createHash("sha1")
    .update(`${request.uri}\n${request.fromTag ?? ""}\n${request.toTag ?? ""}\n${request.callId}\n${request.cseq.seq}`)
    .digest("base64url")
    .slice(0, 12);
}

/** The branch of a request this proxy forwards: unique, and carrying the loop hash of the request received. */
export function proxyBranch(received: SipRequest): string {
  return `${PREFIX}${loopHash(received)}-${newBranch().slice(MAGIC_COOKIE.length)}`;
}

/**
 * §16.3 step 4: only a Via this node wrote counts ("a sent-by value that equals a
 * value placed into previous requests by this proxy"): the other node of the pair
 * forwarding the same request to this one is a path, not a loop.
 */
export function isLooped(request: SipRequest, isOwnVia: (via: Via) => boolean): boolean {
  let hash: string | undefined;
  for (const via of request.vias) {
    const branch = via.branch;
    if (branch === undefined || !branch.startsWith(PREFIX) || !isOwnVia(via)) continue;
    hash ??= loopHash(request);
    if (branch.startsWith(`${PREFIX}${hash}-`)) return true;
  }
  return false;
}

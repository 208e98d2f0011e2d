/**
 * Building a response to a request, as a UAS does (RFC 3261 §8.2.6).
 */
import { randomBuffer } from "../random-pool.js";
import { HeaderList, makeField, type HeaderField } from "./header-list.js";
import { SipResponse, type SipRequest } from "./message.js";
import type { PartialMessage } from "./parse-error.js";
import { reasonPhrase } from "./status-codes.js";

/** RFC 3261 §19.3: a tag has at least 32 bits of randomness. */
export function newTag(): string {
  return randomBuffer(6).toString("hex");
}

/** RFC 3261 §8.1.1.7: a branch that starts with the magic cookie. */
export function newBranch(): string {
  return `z9hG4bK${randomBuffer(9).toString("base64url")}`;
}

const COPIED = new Set(["via", "from", "to", "call-id", "cseq"]);

function withToTag(fields: HeaderField[], toTag: string | undefined): HeaderField[] {
  if (toTag === undefined) return fields;
  return fields.map((f) => (f.key === "to" && !/;\s*tag\s*=/i.test(f.value) ? makeField(f.name, f.key, `${f.value};tag=${toTag}`) : f));
}

/**
 * RFC 3261 §8.2.6.2: the response copies Via (all, in order), From, Call-ID, CSeq
 * and To, adding a To tag to any final response unless the request had one (100 Trying
 * never gets one). `toTag` is the tag of the UAS's side of the dialog.
 */
export function createResponse(request: SipRequest, status: number, reason = reasonPhrase(status), toTag?: string): SipResponse {
  const fields = request.headers.fields.filter((f) => COPIED.has(f.key));
  const needsTag = status > 100 && request.toTag === undefined;
  return new SipResponse(status, reason, new HeaderList(withToTag(fields, needsTag ? (toTag ?? newTag()) : undefined)), Buffer.alloc(0));
}

/**
 * A stateless error response to a request the parser refused, built from the raw
 * fields it had read (RFC 3261 §8.2 and RFC 4475 §3.1.2: answer what can be answered).
 * Whatever of Via, From, To, Call-ID and CSeq exists is copied (RFC 4475 §3.1.2.11
 * asks for a 400 even to a request without Call-ID, From or To); with no Via there is
 * nowhere to send a response, so the result is undefined.
 */
export function createErrorResponse(partial: PartialMessage, status: number, reason: string): SipResponse | undefined {
  const fields = partial.fields.filter((f) => COPIED.has(f.key));
  if (!fields.some((f) => f.key === "via")) return undefined;
  return new SipResponse(status, reason, new HeaderList(withToTag(fields.map((f) => makeField(f.name, f.key, f.value)), newTag())), Buffer.alloc(0));
}

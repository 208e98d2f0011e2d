/**
 * The one error the SIP parser throws. `status` is the response a UAS or proxy
 * owes the sender when the broken message is a request (RFC 3261 §8.2, §16.3);
 * `reason` is a reason phrase that says what was wrong.
 */
export type ParseErrorCode =
  | "SIP_MESSAGE_TOO_LARGE"
  | "SIP_TOO_MANY_HEADERS"
  | "SIP_LINE_TOO_LONG"
  | "SIP_NO_HEADER_END"
  | "SIP_BAD_START_LINE"
  | "SIP_BAD_VERSION"
  | "SIP_UNSUPPORTED_VERSION"
  | "SIP_BAD_STATUS_CODE"
  | "SIP_BAD_HEADER"
  | "SIP_MISSING_HEADER"
  | "SIP_DUPLICATE_HEADER"
  | "SIP_BAD_CONTENT_LENGTH"
  | "SIP_TRUNCATED_BODY"
  | "SIP_CSEQ_MISMATCH"
  | "SIP_BAD_URI"
  | "SIP_BAD_VIA"
  | "SIP_BAD_NAME_ADDR";

/** What the parser had read when it failed: enough to copy into an error response. */
export interface PartialMessage {
  readonly method: string;
  readonly fields: ReadonlyArray<{ readonly name: string; readonly key: string; readonly value: string }>;
}

export class SipParseError extends Error {
  override readonly name = "SipParseError";
  /** Set when the start line and header fields were read before the defect was found. */
  partial?: PartialMessage;
  constructor(
    readonly code: ParseErrorCode,
    /** The short phrase sent as the reason of the error response. */
    readonly reason: string,
    /** The status a request carrying this defect is answered with. */
    readonly status = 400,
  ) {
    super(reason);
  }
}

export function fail(code: ParseErrorCode, reason: string, status = 400): never {
  throw new SipParseError(code, reason, status);
}

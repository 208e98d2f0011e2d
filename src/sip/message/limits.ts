/** Bounds on what the parser accepts, so that a hostile peer cannot exhaust memory or CPU. */
export interface ParseLimits {
  /** Largest message, start line to end of body (RFC 3261 §18.1.1 sizes UDP by the path MTU; streams allow more). */
  readonly maxMessageBytes: number;
  /** Most header fields in one message. */
  readonly maxHeaders: number;
  /** Longest header line (after unfolding), in octets. */
  readonly maxLineLength: number;
}

export const DEFAULT_LIMITS: ParseLimits = Object.freeze({
  maxMessageBytes: 65_535,
  maxHeaders: 256,
  maxLineLength: 8_192,
});

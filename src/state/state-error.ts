/**
 * The errors the state store rejects with. The registrar answers a location-service
 * failure with 500 (RFC 3261 §10.3: "If any one of them fails (for example, because
 * the back-end database commit failed), the request MUST fail with a 500 (Server
 * Error) response and all tentative binding updates MUST be removed").
 */
export type StateErrorCode =
  /** Redis could not be reached, or did not answer within the command timeout. */
  | "STATE_UNAVAILABLE"
  /** An update to one AOR lost the race to the other node on every attempt. */
  | "STATE_CONFLICT"
  /** An update returned a binding the store refuses (wrong AOR, duplicate key, bad field). */
  | "STATE_INVALID_BINDING"
  /** A nonce count, TTL, window or time that is not a positive whole number. */
  | "STATE_INVALID_ARGUMENT"
  /** A dialog or call record the store refuses (a bad field, an id that is not callId;fromTag). */
  | "STATE_INVALID_RECORD"
  /** A value in Redis that this version cannot read (written by hand, or another format). */
  | "STATE_BAD_VALUE"
  /** The Redis settings are unusable (a URL that is not redis:// or rediss://). */
  | "STATE_BAD_CONFIG"
  /** The memory store's call records file could not be read or written. */
  | "STATE_CDR_FILE"
  /** A call after `close()`. */
  | "STATE_CLOSED";

export class StateError extends Error {
  override readonly name = "StateError";
  constructor(
    readonly code: StateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether `err` is a StateError with this code (STATE_UNAVAILABLE: answer 503 or fall back). */
export function isStateError(err: unknown, code: StateErrorCode): err is StateError {
  return err instanceof StateError && err.code === code;
}

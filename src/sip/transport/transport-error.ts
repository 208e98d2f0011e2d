/**
 * The errors the transport layer rejects with. The transaction layer reports them as
 * a transport failure (RFC 3261 §17.1.4, §17.2.4); an admin meets the listen failure.
 */
export type TransportErrorCode =
  /** A listener could not be opened at start. */
  | "SIP_TRANSPORT_LISTEN_FAILED"
  /** The message names a transport that is not configured, or no socket of that address family. */
  | "SIP_TRANSPORT_UNAVAILABLE"
  /** A connection to the destination could not be opened. */
  | "SIP_TRANSPORT_CONNECT_FAILED"
  /** The connection (flow) the message must go over is closed. */
  | "SIP_TRANSPORT_CONNECTION_GONE"
  /** The socket refused the write. */
  | "SIP_TRANSPORT_SEND_FAILED"
  /** The transport layer has been closed. */
  | "SIP_TRANSPORT_CLOSED";

export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The system error code (ECONNREFUSED, EADDRINUSE...) behind an error, if any. */
export function systemCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

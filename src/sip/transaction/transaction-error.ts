/**
 * Errors the transaction layer throws at its TU. Each is a bug in the caller, not a
 * network condition (those reach the TU as responses or failures), so each message
 * says what the caller must change.
 */
export type TransactionErrorCode =
  | "SIP_TRANSACTION_NO_BRANCH"
  | "SIP_TRANSACTION_ACK"
  | "SIP_TRANSACTION_EXISTS"
  | "SIP_TRANSACTION_BAD_TRANSITION";

export class TransactionError extends Error {
  override readonly name = "TransactionError";
  constructor(
    readonly code: TransactionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

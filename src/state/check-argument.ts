import type { CallRecordQuery, CallRecordRetention } from "./call-record.js";
import type { NonceCountUse } from "./state-store.js";
import { StateError } from "./state-error.js";

/** A count, a TTL or a window must be a positive whole number; anything else is a caller's bug. */
export function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new StateError("STATE_INVALID_ARGUMENT", `${name} must be a positive whole number, not ${String(value)}`);
  }
}

/** A nonce count and its state's time to live are positive whole numbers. */
export function checkNonceCount(use: NonceCountUse): void {
  checkPositiveInteger("nc", use.nc);
  checkPositiveInteger("ttlMs", use.ttlMs);
}

/** An epoch-ms instant must be a whole number. */
export function checkInstant(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new StateError("STATE_INVALID_ARGUMENT", `${name} must be whole epoch milliseconds, not ${String(value)}`);
  }
}

/** An instant that must be later than `now` (a refreshed expiry). */
export function checkAfter(name: string, value: number, now: number): void {
  checkInstant(name, value);
  if (value <= now) throw new StateError("STATE_INVALID_ARGUMENT", `${name} must be after now (${now}), not ${value}`);
}

/** `since` and `until` are instants, `limit` a positive count. */
export function checkCallRecordQuery(query: CallRecordQuery): void {
  if (query.since !== undefined) checkInstant("since", query.since);
  if (query.until !== undefined) checkInstant("until", query.until);
  if (query.limit !== undefined) checkPositiveInteger("limit", query.limit);
}

/** Both bounds, when given, are positive whole numbers. */
export function checkRetention(retention: CallRecordRetention): void {
  if (retention.maxCount !== undefined) checkPositiveInteger("callRecordRetention.maxCount", retention.maxCount);
  if (retention.maxAgeMs !== undefined) checkPositiveInteger("callRecordRetention.maxAgeMs", retention.maxAgeMs);
}

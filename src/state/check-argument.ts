import { StateError } from "./state-error.js";

/** A count, a TTL or a window must be a positive whole number; anything else is a caller's bug. */
export function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new StateError("STATE_INVALID_ARGUMENT", `${name} must be a positive whole number, not ${String(value)}`);
  }
}

/** An epoch-ms instant must be a whole number. */
export function checkInstant(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new StateError("STATE_INVALID_ARGUMENT", `${name} must be whole epoch milliseconds, not ${String(value)}`);
  }
}

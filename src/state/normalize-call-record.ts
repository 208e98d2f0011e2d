import { CALL_DISPOSITIONS, type CallDisposition, type CallRecord } from "./call-record.js";
import { isObject, nonEmptyString } from "./value-checks.js";

/**
 * Checks that `value` is a call record and returns a copy holding only the fields of
 * `CallRecord`, in one fixed order and with no undefined members, or a sentence saying
 * what is wrong. The fixed order makes a record's JSON canonical: the Redis store's
 * sorted set then holds a record appended twice (a retry) once.
 */
export function normalizeCallRecord(value: unknown): CallRecord | string {
  if (!isObject(value)) return "a call record is not an object";
  const r = value;
  if (!nonEmptyString(r.id)) return "a call record has no id";
  const where = `call record ${JSON.stringify(r.id)}`;
  if (!nonEmptyString(r.callId)) return `${where} has no callId`;
  for (const field of ["caller", "dialled", "node"] as const) {
    if (typeof r[field] !== "string") return `${where}: ${field} is not a string`;
  }
  for (const field of ["target", "route"] as const) {
    if (r[field] !== undefined && typeof r[field] !== "string") return `${where}: ${field} is not a string`;
  }
  for (const field of ["startedAt", "endedAt"] as const) {
    if (!Number.isSafeInteger(r[field])) return `${where}: ${field} is not whole epoch ms`;
  }
  if (r.answeredAt !== undefined && !Number.isSafeInteger(r.answeredAt)) return `${where}: answeredAt is not whole epoch ms`;
  if (!CALL_DISPOSITIONS.includes(r.disposition as CallDisposition)) return `${where}: disposition is not one of ${CALL_DISPOSITIONS.join(", ")}`;
  // RFC 3261 §7.2: a final status is 200..699 (and a failure 300..699, but a record keeps what it is given).
  if (r.failureStatus !== undefined && !(Number.isInteger(r.failureStatus) && (r.failureStatus as number) >= 100 && (r.failureStatus as number) <= 699)) {
    return `${where}: failureStatus is not a SIP status (100..699)`;
  }
  if (r.durationMs !== undefined && !(Number.isSafeInteger(r.durationMs) && (r.durationMs as number) >= 0)) return `${where}: durationMs is not a whole number of ms`;

  return {
    id: r.id,
    callId: r.callId,
    caller: r.caller as string,
    dialled: r.dialled as string,
    ...(r.target !== undefined && { target: r.target as string }),
    ...(r.route !== undefined && { route: r.route as string }),
    startedAt: r.startedAt as number,
    ...(r.answeredAt !== undefined && { answeredAt: r.answeredAt as number }),
    endedAt: r.endedAt as number,
    disposition: r.disposition as CallDisposition,
    ...(r.failureStatus !== undefined && { failureStatus: r.failureStatus as number }),
    node: r.node as string,
    ...(r.durationMs !== undefined && { durationMs: r.durationMs as number }),
  };
}

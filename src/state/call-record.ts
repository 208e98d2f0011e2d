/**
 * One record per call (a CDR): who called whom, where it went, when, how it ended and
 * which node handled it. Written once, when the call ends, and never changed; kept in
 * the state store and exported as CSV or JSONL (`strowger cdr export`). Plain data, so
 * it crosses to Redis, to a JSON-lines file and to the other node as JSON.
 */
export interface CallRecord {
  /** Unique across the cluster (a UUID from the node that writes it). */
  readonly id: string;
  /** The caller's Call-ID. */
  readonly callId: string;
  /** Who called, as an extension (`2001`) or a number (`+441785123456`). */
  readonly caller: string;
  /** What the caller dialled, as dialled. */
  readonly dialled: string;
  /** Where the call went at last (`user 2002`, `group reception → 2003`); absent when it was never routed. */
  readonly target?: string;
  /** The dialplan rule or route taken, as text; absent when none matched. */
  readonly route?: string;
  /** Epoch ms of the INVITE. */
  readonly startedAt: number;
  /** Epoch ms of the 2xx; absent when the call was not answered. */
  readonly answeredAt?: number;
  /** Epoch ms of the BYE, the final non-2xx response or the CANCEL. Records are ordered by it. */
  readonly endedAt: number;
  readonly disposition: CallDisposition;
  /** The final SIP status of a call that was not answered (486 busy, 480/408 no answer, 503 ...). */
  readonly failureStatus?: number;
  /** Name of the node that handled the call. */
  readonly node: string;
  /** Talk time, `endedAt - answeredAt` in ms; absent when not answered. */
  readonly durationMs?: number;
}

export type CallDisposition =
  /** A 2xx: the call was set up (however short). */
  | "answered"
  /** 486 Busy Here or 600 Busy Everywhere. */
  | "busy"
  /** Nobody answered: 480, 408, or the ring timer ran out. */
  | "no-answer"
  /** Any other final failure; `failureStatus` says which. */
  | "failed"
  /** The caller hung up before an answer (CANCEL). */
  | "cancelled"
  /**
   * Answered, and no BYE came before the dialog's safety expiry (a phone that lost
   * power mid-call): `endedAt` is when the cluster gave up on it, not when it ended.
   */
  | "expired";

export const CALL_DISPOSITIONS: readonly CallDisposition[] = ["answered", "busy", "no-answer", "failed", "cancelled", "expired"];

/**
 * Which records `callRecords` returns: those with `since <= endedAt < until` (a
 * half-open range, so consecutive exports neither repeat nor miss a record), oldest
 * first, at most `limit`.
 */
export interface CallRecordQuery {
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  /** At most this many, the oldest first. */
  readonly limit?: number;
}

/**
 * How many records the store keeps (default: all). Checked on every append, which
 * drops the oldest (by `endedAt`) past `maxCount`, and those that ended `maxAgeMs` or
 * more before now. Export before they go: the store is the working copy, the export
 * (or the memory store's file) the archive.
 */
export interface CallRecordRetention {
  readonly maxCount?: number;
  readonly maxAgeMs?: number;
}

/** Ordering of records: by `endedAt`, then by `id` (for records that ended in the same ms). */
export function compareCallRecords(a: CallRecord, b: CallRecord): number {
  if (a.endedAt !== b.endedAt) return a.endedAt - b.endedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

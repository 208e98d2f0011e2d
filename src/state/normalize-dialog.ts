import { dialogId, type DialogRecord } from "./dialog-record.js";
import { isObject, nonEmptyString } from "./value-checks.js";

/**
 * Checks that `value` is a dialog and returns a copy holding only the fields of
 * `DialogRecord` (no undefined members, so it survives JSON unchanged), or a sentence
 * saying what is wrong. Both stores run every dialog they write through it, and the
 * Redis store every dialog it reads.
 */
export function normalizeDialog(value: unknown): DialogRecord | string {
  if (!isObject(value)) return "a dialog is not an object";
  const d = value;
  if (!nonEmptyString(d.callId)) return "a dialog has no callId";
  const where = `dialog ${JSON.stringify(d.id)}`;
  // RFC 3261 §25.1: a tag is a token, which holds no ";" (the dialog id's separator).
  if (!nonEmptyString(d.fromTag) || d.fromTag.includes(";")) return `${where}: fromTag is not a tag`;
  if (!nonEmptyString(d.toTag) || d.toTag.includes(";")) return `${where}: toTag is not a tag`;
  if (d.id !== dialogId(d.callId, d.fromTag)) return `${where}: id is not callId;fromTag (${JSON.stringify(dialogId(d.callId, d.fromTag))})`;
  for (const field of ["caller", "dialled", "target", "route", "node"] as const) {
    if (typeof d[field] !== "string") return `${where}: ${field} is not a string`;
  }
  for (const field of ["startedAt", "expiresAt"] as const) {
    if (!Number.isSafeInteger(d[field])) return `${where}: ${field} is not whole epoch ms`;
  }
  if (d.answeredAt !== undefined && !Number.isSafeInteger(d.answeredAt)) return `${where}: answeredAt is not whole epoch ms`;

  return {
    id: d.id,
    callId: d.callId,
    fromTag: d.fromTag,
    toTag: d.toTag,
    caller: d.caller as string,
    dialled: d.dialled as string,
    target: d.target as string,
    route: d.route as string,
    startedAt: d.startedAt as number,
    ...(d.answeredAt !== undefined && { answeredAt: d.answeredAt as number }),
    node: d.node as string,
    expiresAt: d.expiresAt as number,
  };
}

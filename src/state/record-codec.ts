import type { CallRecord } from "./call-record.js";
import { isLiveDialog, type DialogRecord } from "./dialog-record.js";
import { normalizeCallRecord } from "./normalize-call-record.js";
import { normalizeDialog } from "./normalize-dialog.js";
import { StateError } from "./state-error.js";

/**
 * Dialogs and call records at the edges of the stores: checked on the way in (a bad
 * one is the caller's bug, STATE_INVALID_RECORD), and in Redis as `{"v":1,...fields}`
 * (checked on the way out too: a value this node cannot read is STATE_BAD_VALUE, not
 * misread). `v` lets a newer node change the format while the older one still runs.
 */
const FORMAT_VERSION = 1;

/**
 * The checked copy of a dialog a caller gives to `putDialog`. It must be live at `now`:
 * one already past its safety expiry would only be invisible (end it instead).
 */
export function acceptDialog(value: DialogRecord, now: number): DialogRecord {
  const dialog = normalizeDialog(value);
  if (typeof dialog === "string") throw new StateError("STATE_INVALID_RECORD", `the dialog is refused: ${dialog}`);
  if (!isLiveDialog(dialog, now)) {
    throw new StateError("STATE_INVALID_RECORD", `the dialog ${JSON.stringify(dialog.id)} is refused: it expires at ${dialog.expiresAt}, not after now (${now})`);
  }
  return dialog;
}

/** The checked, canonical copy of a record a caller gives to `appendCallRecord`. */
export function acceptCallRecord(value: CallRecord): CallRecord {
  const record = normalizeCallRecord(value);
  if (typeof record === "string") throw new StateError("STATE_INVALID_RECORD", `the call record is refused: ${record}`);
  return record;
}

export function encodeDialog(dialog: DialogRecord): string {
  return JSON.stringify({ v: FORMAT_VERSION, ...dialog });
}

export function decodeDialog(raw: string, key: string): DialogRecord {
  const dialog = normalizeDialog(unversion(raw, key, "dialog"));
  if (typeof dialog === "string") throw badValue(key, dialog);
  return dialog;
}

/** Canonical (fields in one order), so one record always encodes to one member. */
export function encodeCallRecord(record: CallRecord): string {
  return JSON.stringify({ v: FORMAT_VERSION, ...record });
}

export function decodeCallRecord(raw: string, key: string): CallRecord {
  const record = normalizeCallRecord(unversion(raw, key, "call record"));
  if (typeof record === "string") throw badValue(key, record);
  return record;
}

function unversion(raw: string, key: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw badValue(key, "it is not JSON", err);
  }
  if (typeof value !== "object" || value === null || (value as { v?: unknown }).v !== FORMAT_VERSION) {
    throw badValue(key, `it is not a format-${FORMAT_VERSION} ${what}`);
  }
  const { v: _v, ...fields } = value as Record<string, unknown>;
  return fields;
}

function badValue(key: string, problem: string, cause?: unknown): StateError {
  return new StateError(
    "STATE_BAD_VALUE",
    `Redis key ${key} holds a value this node cannot read: ${problem}. Upgrade this node to the version that wrote it, or check that no other application uses the key prefix.`,
    { cause },
  );
}

import type { Binding } from "./binding.js";
import { normalizeBinding } from "./normalize-binding.js";
import { StateError } from "./state-error.js";

/**
 * One AOR's bindings as stored in Redis: one JSON value for the whole set,
 * `{"v":1,"bindings":[...]}`. The set is always read and replaced whole (the update
 * callback returns the complete new set, and a REGISTER's 200 lists every binding), so a
 * hash of one field per binding would buy nothing and cost a second command per write.
 * `v` lets a newer node change the format while the older one still runs (it refuses
 * to act on a value it cannot read rather than misread it).
 */
const FORMAT_VERSION = 1;

export function encodeBindings(bindings: readonly Binding[]): string {
  return JSON.stringify({ v: FORMAT_VERSION, bindings });
}

export function decodeBindings(raw: string, aor: string, key: string): Binding[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw badValue(key, "it is not JSON", err);
  }
  const record = value as { v?: unknown; bindings?: unknown } | null;
  if (typeof record !== "object" || record === null || record.v !== FORMAT_VERSION || !Array.isArray(record.bindings)) {
    throw badValue(key, `it is not a format-${FORMAT_VERSION} binding set`);
  }
  return record.bindings.map((item) => {
    const binding = normalizeBinding(item, aor);
    if (typeof binding === "string") throw badValue(key, binding);
    return binding;
  });
}

function badValue(key: string, problem: string, cause?: unknown): StateError {
  return new StateError(
    "STATE_BAD_VALUE",
    `Redis key ${key} cannot be read: ${problem}. Delete the key (the phones re-register) or upgrade this node to the version that wrote it.`,
    { cause },
  );
}

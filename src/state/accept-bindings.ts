import { isLive, type Binding } from "./binding.js";
import { normalizeBinding } from "./normalize-binding.js";
import { StateError } from "./state-error.js";

/**
 * Turns the result of an update callback into the set a store writes: every binding
 * checked and copied, keys unique within the AOR, and those already expired at `now`
 * dropped (a binding is gone at its `expiresAt`, so storing one would only make it
 * invisible). Throws STATE_INVALID_BINDING: a bug in the caller, not a peer's fault.
 */
export function acceptBindings(aor: string, result: readonly Binding[], now: number): Binding[] {
  if (!Array.isArray(result)) throw new StateError("STATE_INVALID_BINDING", `the update of ${aor} returned neither a list of bindings nor a refusal`);
  const keys = new Set<string>();
  const accepted: Binding[] = [];
  for (const value of result) {
    const binding = normalizeBinding(value, aor);
    if (typeof binding === "string") throw new StateError("STATE_INVALID_BINDING", `the update of ${aor} is refused: ${binding}`);
    if (keys.has(binding.key)) throw new StateError("STATE_INVALID_BINDING", `the update of ${aor} has two bindings with key ${JSON.stringify(binding.key)}`);
    keys.add(binding.key);
    if (isLive(binding, now)) accepted.push(binding);
  }
  return accepted;
}

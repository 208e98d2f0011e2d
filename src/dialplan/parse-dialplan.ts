/**
 * Loading a dialplan from its text: the schema (with file and line for each problem),
 * then the plan built and checked. Every problem found is thrown at once in one
 * ConfigError; warnings travel on the plan for `strowger check` to show. The result is
 * deep-frozen, so the holder of the current plan swaps one reference on reload and a
 * call in flight keeps the plan it started with.
 *
 * Reading the file is the caller's (src/dialplan does no I/O): `readConfigFile` in
 * src/config/load-yaml.ts reads it with the same CONFIG_NOT_FOUND error as other files.
 */
import { ConfigError } from "../config/config-error.js";
import { validateYamlWithLines } from "../config/load-yaml.js";
import { buildDialplan } from "./build-dialplan.js";
import { checkDialplan } from "./check-dialplan.js";
import type { Dialplan, KnownNames } from "./dialplan.js";
import { DialplanSchema } from "./dialplan-schema.js";
import { byLine, Problems } from "./problems.js";

export function parseDialplan(text: string, file: string, known: KnownNames): Dialplan {
  const source = validateYamlWithLines(DialplanSchema, text, file);
  const problems = new Problems(file, source.lineOf);
  const built = buildDialplan(source.value, file, planVersion(text), problems);
  checkDialplan(built, known, problems);
  if (problems.errors.length > 0) throw new ConfigError("CONFIG_INVALID", byLine(problems.errors));
  return deepFreeze({ ...built.plan, warnings: byLine(problems.warnings) });
}

/** FNV-1a (32 bits) of the text: short, stable, enough to tell two versions of a file apart in a trace. */
export function planVersion(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** The plan is a tree (hunt groups are copied where they overflow into each other), so no cycle guard. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

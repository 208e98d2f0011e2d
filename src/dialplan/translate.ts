/**
 * A rule's number rewrites, always in this order whatever order the YAML keys are in:
 * strip leading characters, then replace a leading string, then prepend. (CUCM applies
 * discard, then transform, then prefix the same way.) `replace` takes a literal leading
 * string, not a regular expression: what an admin reads is what happens.
 */
import type { Translation } from "./dialplan.js";

export interface Translated {
  readonly dialled: string;
  /** One sentence per rewrite, for the trace. */
  readonly steps: readonly string[];
}

const shown = (s: string) => (s === "" ? "(nothing)" : s);

export function translate(t: Translation, dialled: string): Translated {
  const steps: string[] = [];
  let out = dialled;
  if (t.strip !== undefined) {
    const next = out.slice(t.strip);
    steps.push(`strip ${t.strip}: ${shown(out)} → ${shown(next)}`);
    out = next;
  }
  if (t.replace !== undefined) {
    const { pattern, with: replacement } = t.replace;
    if (out.startsWith(pattern)) {
      const next = replacement + out.slice(pattern.length);
      steps.push(`replace leading ${pattern} with ${shown(replacement)}: ${shown(out)} → ${shown(next)}`);
      out = next;
    } else {
      steps.push(`replace leading ${pattern}: ${shown(out)} does not start with it, unchanged`);
    }
  }
  if (t.prepend !== undefined) {
    const next = t.prepend + out;
    steps.push(`prepend ${t.prepend}: ${shown(out)} → ${next}`);
    out = next;
  }
  return { dialled: out, steps };
}

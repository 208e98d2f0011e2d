/**
 * Comparing two compiled patterns exactly, for the validator: does one match every
 * string the other does (the later rule is unreachable), or do they share some
 * strings (an overlap where the order of the rules decides)?
 *
 * A pattern is a class per position, then, if open, any characters at all. Positions
 * are independent, so both questions come down to the lengths the two accept and a
 * bitwise test per position.
 */
import { ANY, type DigitPattern } from "./digit-pattern.js";

const SHOWN = "0123456789*#+";

function classAt(p: DigitPattern, k: number): number {
  return k < p.classes.length ? p.classes[k]! : p.open ? ANY : 0;
}

/** True when every string `inner` matches, `outer` matches too. */
export function covers(outer: DigitPattern, inner: DigitPattern): boolean {
  if (outer.open ? inner.classes.length < outer.classes.length : inner.open || inner.classes.length !== outer.classes.length) {
    return false;
  }
  const n = Math.max(outer.classes.length, inner.classes.length);
  for (let k = 0; k < n; k++) if ((classAt(inner, k) & ~classAt(outer, k)) !== 0) return false;
  return true;
}

/** A string both patterns match (the shortest, lowest), or undefined when they share none. */
export function commonExample(a: DigitPattern, b: DigitPattern): string | undefined {
  let length: number;
  if (!a.open && !b.open) {
    if (a.classes.length !== b.classes.length) return undefined;
    length = a.classes.length;
  } else if (!a.open || !b.open) {
    const [closed, open] = a.open ? [b, a] : [a, b];
    if (closed.classes.length < open.classes.length) return undefined;
    length = closed.classes.length;
  } else {
    length = Math.max(a.classes.length, b.classes.length);
  }
  let example = "";
  for (let k = 0; k < length; k++) {
    const both = classAt(a, k) & classAt(b, k);
    if (both === 0) return undefined;
    // Every non-empty class holds a nameable character (ANY includes them all).
    example += SHOWN[Math.log2(both & -both)] ?? "?";
  }
  return example;
}

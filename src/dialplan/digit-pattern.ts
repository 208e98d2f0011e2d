/**
 * Digit patterns, in Asterisk's extension-pattern convention (the one documented in
 * the Asterisk wiki, "Pattern Matching"), chosen because it is the most widely known
 * among PBX admins, it is small, and every symbol means one thing. CUCM's route
 * patterns were the other candidate; there `.` is a digit-discard marker and `!` means
 * one or more, which would read the opposite way to Asterisk's and to this file.
 *
 *   2001        no leading `_`: exactly that string (digits, `*`, `#`, `+`)
 *   _4XXX       a leading `_` makes it a pattern:
 *                 X  any digit 0-9       Z  1-9       N  2-9
 *                 [1-5,7]  one character from a set: digits, ranges, `*`, `#`, `+`
 *                          (commas are optional separators)
 *                 .  one or more further characters of any kind (last only)
 *                 !  zero or more further characters of any kind (last only)
 *                 -  ignored, for readability (_01785-XXXXXX)
 *               digits, `*`, `#` and `+` stand for themselves.
 *
 * Asterisk accepts `.` and `!` mid-pattern; here they must come last, so that what a
 * pattern matches, and whether one pattern covers another, stay easy to see.
 *
 * A pattern is compiled to one character class per position plus an open tail, which
 * makes matching a single pass and lets the validator compare patterns exactly
 * (pattern-relations.ts).
 */

/** The characters a pattern can name; everything else a caller might send is OTHER. */
const ALPHABET = "0123456789*#+";
const OTHER_BIT = 1 << ALPHABET.length;
/** Every character, including those outside ALPHABET: what `.` and `!` accept. */
export const ANY = (OTHER_BIT << 1) - 1;

const DIGITS = rangeBits("0", "9");
const CLASS_LETTERS: Readonly<Record<string, number>> = { X: DIGITS, Z: rangeBits("1", "9"), N: rangeBits("2", "9") };

export interface DigitPattern {
  /** As written in the plan. */
  readonly source: string;
  /** One bit set of acceptable characters per position. */
  readonly classes: readonly number[];
  /** True when any number of further characters may follow `classes` (a `!` tail, or the rest of a `.`). */
  readonly open: boolean;
}

export type MatchResult = "match" | "prefix" | "none";

export function charBit(ch: string): number {
  const i = ALPHABET.indexOf(ch);
  return i < 0 || ch.length !== 1 ? OTHER_BIT : 1 << i;
}

function rangeBits(from: string, to: string): number {
  let bits = 0;
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) bits |= charBit(String.fromCharCode(c));
  return bits;
}

/** Compiles a pattern, or says what is wrong with it in words an admin can act on. */
export function parsePattern(source: string): { pattern: DigitPattern } | { error: string } {
  if (!source.startsWith("_")) {
    if (/^[0-9*#+]+$/.test(source)) return { pattern: { source, classes: [...source].map(charBit), open: false } };
    const hint = /[XZNxzn.![]/.test(source) ? `; did you mean "_${source}"? A pattern starts with _` : "";
    return { error: `"${source}" is not a number (digits, *, #, +)${hint}` };
  }
  const classes: number[] = [];
  let open = false;
  const body = source.slice(1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    const where = `at character ${i + 2} of "${source}"`;
    if (open) return { error: `"." and "!" must end a pattern: "${ch}" follows one ${where}` };
    if (ch === "-") continue;
    if (ch === "." || ch === "!") {
      if (ch === ".") classes.push(ANY);
      open = true;
      continue;
    }
    const letter = CLASS_LETTERS[ch.toUpperCase()];
    if (letter !== undefined) {
      classes.push(letter);
      continue;
    }
    if (ch === "[") {
      const close = body.indexOf("]", i);
      if (close < 0) return { error: `"[" is not closed ${where}` };
      const set = parseSet(body.slice(i + 1, close));
      if ("error" in set) return { error: `${set.error} ${where}` };
      classes.push(set.bits);
      i = close;
      continue;
    }
    if (ALPHABET.includes(ch)) {
      classes.push(charBit(ch));
      continue;
    }
    return { error: `unexpected "${ch}" ${where}: use digits, * # +, X Z N, [sets], and . or ! at the end` };
  }
  if (classes.length === 0 && !open) return { error: `"${source}" is an empty pattern` };
  return { pattern: { source, classes, open } };
}

function parseSet(text: string): { bits: number } | { error: string } {
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ",") continue;
    if (!ALPHABET.includes(ch)) return { error: `"${ch}" cannot be in a [set] (digits, ranges such as 1-5, * # +)` };
    if (text[i + 1] === "-" && i + 2 < text.length) {
      const to = text[i + 2]!;
      if (!/[0-9]/.test(ch) || !/[0-9]/.test(to)) return { error: `range "${ch}-${to}" must run between digits` };
      if (to < ch) return { error: `range "${ch}-${to}" runs backwards` };
      bits |= rangeBits(ch, to);
      i += 2;
      continue;
    }
    if (text[i + 1] === "-") return { error: `range "${ch}-" has no end` };
    bits |= charBit(ch);
  }
  return bits === 0 ? { error: "an empty [set]" } : { bits };
}

/**
 * `match` when the whole string fits; `prefix` when the string is the start of one
 * that would (the caller dialled too few digits: 484 Address Incomplete).
 */
export function matchPattern(pattern: DigitPattern, dialled: string): MatchResult {
  const { classes } = pattern;
  for (let k = 0; k < classes.length; k++) {
    if (k >= dialled.length) return "prefix";
    if ((charBit(dialled[k]!) & classes[k]!) === 0) return "none";
  }
  return dialled.length === classes.length || pattern.open ? "match" : "none";
}

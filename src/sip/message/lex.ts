/**
 * Character classes and small scanners of the RFC 3261 §25.1 grammar, shared by the
 * Via, name-addr and URI parsers.
 */
import { fail, type ParseErrorCode } from "./parse-error.js";

const TOKEN_EXTRA = "-.!%*_+`'~";
const tokenTable = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch) || TOKEN_EXTRA.includes(ch)) tokenTable[c] = 1;
}

export function isTokenChar(code: number): boolean {
  return code < 128 && tokenTable[code] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Index just past the closing quote of the quoted-string opening at `start`. */
export function skipQuoted(s: string, start: number, code: ParseErrorCode): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) return i + 1;
  }
  return fail(code, "Unterminated quoted string");
}

/**
 * RFC 3261 §7.3.1: a header field of comma-separated values. Splits on commas that
 * stand outside quoted strings and angle brackets.
 */
export function splitList(value: string, code: ParseErrorCode): string[] {
  if (value.indexOf(",") === -1) return [value];
  const parts: string[] = [];
  let from = 0;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) i = skipQuoted(value, i, code) - 1;
    else if (c === 0x3c /* < */) inAngle = true;
    else if (c === 0x3e /* > */) inAngle = false;
    else if (c === 0x2c /* , */ && !inAngle) {
      parts.push(value.slice(from, i).trim());
      from = i + 1;
    }
  }
  parts.push(value.slice(from).trim());
  return parts;
}

/** A `;name=value` generic parameter; `value` is null for a bare `;name`. */
export interface Param {
  readonly name: string;
  readonly value: string | null;
}

/** Case-insensitive parameter look-up (RFC 3261 §7.3.1: names are case-insensitive). */
export function findParam(params: readonly Param[], name: string): Param | undefined {
  for (const p of params) if (p.name.length === name.length && p.name.toLowerCase() === name) return p;
  return undefined;
}

export function withParam(params: readonly Param[], name: string, value: string | null): Param[] {
  const out = params.filter((p) => p.name.toLowerCase() !== name);
  out.push({ name, value });
  return out;
}

export function formatParams(params: readonly Param[]): string {
  let s = "";
  for (const p of params) s += p.value === null ? `;${p.name}` : `;${p.name}=${p.value}`;
  return s;
}

/**
 * Parses `;a=b;c;d="q"` generic-params (RFC 3261 §25.1) starting at `start`, where
 * `s[start]` is `;` (or the end). Whitespace around `;` and `=` is LWS and allowed.
 * Values are a token, a host (IPv6 in brackets) or a quoted string, kept as written.
 */
// Sticky patterns: the regex engine scans a run of token characters faster than a
// loop of table look-ups (a branch is 30-odd characters, on every message).
const TOKEN_RUN = /[A-Za-z0-9\-.!%*_+`'~]+/y;
// A token, or a bare IPv6 address (RFC 5118 §4.5 received=2001:db8::9:255).
const VALUE_RUN = /[A-Za-z0-9\-.!%*_+`'~:]+/y;

/** The index just past the run of `pattern` at `at` (`at` itself when there is none). */
function runEnd(pattern: RegExp, s: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(s) ? pattern.lastIndex : at;
}

/** The index just past the token at `at`. */
export function tokenRunEnd(s: string, at: number): number {
  return runEnd(TOKEN_RUN, s, at);
}

export function parseParams(s: string, start: number, code: ParseErrorCode, what: string): Param[] {
  const params: Param[] = [];
  let i = start;
  const n = s.length;
  while (i < n) {
    while (i < n && isWhitespace(s.charCodeAt(i))) i++;
    if (i >= n) break;
    if (s.charCodeAt(i) !== 0x3b /* ; */) fail(code, `Malformed ${what} parameters`);
    i++;
    while (i < n && isWhitespace(s.charCodeAt(i))) i++;
    const nameStart = i;
    i = runEnd(TOKEN_RUN, s, i);
    if (i === nameStart) fail(code, `Empty ${what} parameter`);
    const name = s.slice(nameStart, i);
    while (i < n && isWhitespace(s.charCodeAt(i))) i++;
    if (i < n && s.charCodeAt(i) === 0x3d /* = */) {
      i++;
      while (i < n && isWhitespace(s.charCodeAt(i))) i++;
      const valueStart = i;
      const c = s.charCodeAt(i);
      if (c === 0x22) i = skipQuoted(s, i, code);
      else if (c === 0x5b /* [ */) {
        const close = s.indexOf("]", i);
        if (close === -1) fail(code, `Unterminated IPv6 reference in ${what} parameter`);
        i = close + 1;
      } else {
        i = runEnd(VALUE_RUN, s, i);
      }
      if (i === valueStart) fail(code, `Empty value of ${what} parameter ${name}`);
      params.push({ name, value: s.slice(valueStart, i) });
    } else {
      params.push({ name, value: null });
    }
  }
  return params;
}

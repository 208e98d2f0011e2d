/**
 * Writes `scheme auth-param, auth-param, ...` (RFC 3261 §25.1). Values are written as
 * tokens where the grammar wants a token and as quoted strings elsewhere; a value
 * that cannot be written so (a control character, a non-token where a token is due)
 * is our caller's bug and is refused rather than sent broken.
 */
import { isToken } from "../message/lex.js";
import { misuse } from "./digest-error.js";

/** How a value is written: always quoted, a bare token, or a token when it is one. */
export type ValueForm = "quoted" | "token" | "auto";

export interface FormattedParam {
  readonly name: string;
  readonly value: string;
  readonly form: ValueForm;
}

/**
 * RFC 3261 §25.1: quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE, where
 * '"' and '\' must be a quoted-pair and CR, LF (outside a fold) and other controls
 * may not appear at all.
 */
export function quoteString(value: string, name: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) misuse("SIP_DIGEST_CANNOT_FORMAT", `The ${name} value holds a control character`);
    if (c === 0x22 || c === 0x5c) {
      out += `${value.slice(from, i)}\\`;
      from = i;
    }
  }
  return `${out}${value.slice(from)}"`;
}

function formatValue(p: FormattedParam): string {
  if (p.form === "quoted") return quoteString(p.value, p.name);
  if (isToken(p.value)) return p.value;
  if (p.form === "token") misuse("SIP_DIGEST_CANNOT_FORMAT", `The ${p.name} value is not a token`);
  return quoteString(p.value, p.name);
}

export function formatAuthValue(scheme: string, params: readonly FormattedParam[]): string {
  if (params.length === 0) misuse("SIP_DIGEST_CANNOT_FORMAT", "A digest header needs at least one parameter");
  let out = `${scheme} `;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (!isToken(p.name)) misuse("SIP_DIGEST_CANNOT_FORMAT", "A parameter name is not a token");
    out += `${i === 0 ? "" : ", "}${p.name}=${formatValue(p)}`;
  }
  return out;
}

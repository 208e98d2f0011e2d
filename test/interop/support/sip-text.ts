/**
 * A deliberately small reader of a SIP message head (start line and header fields),
 * used to check what peers saw. It is independent of the node's own parser on
 * purpose: an interop test must not judge the node's output with the node's code.
 */
export interface SipHead {
  readonly startLine: string;
  /** Set for a response: the Status-Code and the Reason-Phrase (may be empty). */
  readonly status?: number;
  readonly reason?: string;
  /** Header fields in order, names as written. Folded lines are joined. */
  readonly fields: ReadonlyArray<readonly [name: string, value: string]>;
}

/** RFC 3261 §7.3.3 compact forms of the headers these tests read. */
const COMPACT: Record<string, string> = { v: "via", i: "call-id", t: "to", f: "from", l: "content-length", k: "supported" };

function canonical(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

export function parseSipHead(text: string): SipHead {
  const head = text.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const lines = head.split(/\r?\n/);
  const startLine = lines.shift() ?? "";
  const fields: [string, string][] = [];
  for (const line of lines) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) last[1] += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(":");
      if (colon > 0) fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  const status = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(startLine);
  return status ? { startLine, status: Number(status[1]), reason: status[2] ?? "", fields } : { startLine, fields };
}

/** Every value of a header, by full or compact name, case-insensitively. */
export function headerValues(head: SipHead, name: string): string[] {
  const wanted = canonical(name);
  return head.fields.filter(([n]) => canonical(n) === wanted).map(([, v]) => v);
}

export function headerValue(head: SipHead, name: string): string | undefined {
  return headerValues(head, name)[0];
}

/** A `;name=value` parameter of a header value (the To tag, a Via `received`). */
export function headerParam(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const match = new RegExp(`;\\s*${name}\\s*(?:=\\s*([^;,\\s>]*))?`, "i").exec(value);
  return match ? (match[1] ?? "") : undefined;
}

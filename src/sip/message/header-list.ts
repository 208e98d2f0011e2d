import { headerKey, canonicalName, isListHeader } from "./header-names.js";
import { splitList } from "./lex.js";

/**
 * One header field line. `name` is kept as the sender wrote it so that forwarded
 * headers go out untouched; `key` is the lower-case long form used for look-ups;
 * `parsed` caches the structured value (a field is replaced, never edited, so the
 * cache cannot go stale).
 */
export interface HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
  parsed?: unknown;
}

/**
 * Every field is made here, with `parsed` present from the start, so that all
 * fields share one hidden class and the hot getters stay monomorphic.
 */
export function makeField(name: string, key: string, value: string): HeaderField {
  return { name, key, value, parsed: undefined };
}

/** A field of the name as given (a forwarded or test header keeps its spelling). */
export function headerField(name: string, value: string): HeaderField {
  return makeField(name, headerKey(name), value);
}

function newField(name: string, value: string): HeaderField {
  const key = headerKey(name);
  return makeField(canonicalName(key), key, value);
}

/** The ordered header fields of a message, looked up case-insensitively by any name form. */
export class HeaderList {
  constructor(readonly fields: HeaderField[] = []) {}

  /** The first field of that name. */
  field(name: string): HeaderField | undefined {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return f;
    return undefined;
  }

  get(name: string): string | undefined {
    return this.field(name)?.value;
  }

  has(name: string): boolean {
    return this.field(name) !== undefined;
  }

  all(name: string): HeaderField[] {
    const key = headerKey(name);
    return this.fields.filter((f) => f.key === key);
  }

  /** Every value of a list header, comma-joined fields split (RFC 3261 §7.3.1). */
  values(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.fields) {
      if (f.key !== key) continue;
      if (isListHeader(key)) for (const v of splitList(f.value, "SIP_BAD_HEADER")) out.push(v);
      else out.push(f.value);
    }
    return out;
  }

  /** Replaces every field of that name with one, at the position of the first. */
  set(name: string, value: string): void {
    const field = newField(name, value);
    const key = field.key;
    const index = this.fields.findIndex((f) => f.key === key);
    if (index === -1) {
      this.fields.push(field);
      return;
    }
    this.fields[index] = field;
    for (let i = this.fields.length - 1; i > index; i--) if (this.fields[i]!.key === key) this.fields.splice(i, 1);
  }

  append(name: string, value: string): void {
    this.fields.push(newField(name, value));
  }

  /** Inserts a field before every other field of the same name (Via, Record-Route). */
  prepend(name: string, value: string): void {
    const field = newField(name, value);
    const index = this.fields.findIndex((f) => f.key === field.key);
    this.fields.splice(index === -1 ? this.fields.length : index, 0, field);
  }

  remove(name: string): void {
    const key = headerKey(name);
    for (let i = this.fields.length - 1; i >= 0; i--) if (this.fields[i]!.key === key) this.fields.splice(i, 1);
  }

  /** Removes the first field of that name, returning it. */
  shift(name: string): HeaderField | undefined {
    const key = headerKey(name);
    const index = this.fields.findIndex((f) => f.key === key);
    if (index === -1) return undefined;
    return this.fields.splice(index, 1)[0];
  }

  clone(): HeaderList {
    return new HeaderList(this.fields.slice());
  }
}

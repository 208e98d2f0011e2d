/**
 * Reading a YAML config file against a TypeBox schema: defaults filled from the
 * schema, every problem reported with file, line and dotted path, the result frozen.
 */
import { readFile } from "node:fs/promises";
import type { TSchema, Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError, type ConfigProblem } from "./config-error.js";

/** Freezes a parsed value and everything in it, so no code can change config it was handed. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The line of the setting at a JSON pointer: its key where it has one (so that an
 * unknown key points at itself), else the nearest existing node above it.
 */
function lineOf(doc: Document, lines: LineCounter, pointer: string): number {
  const path = pointer.split("/").slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, "/").replace(/~0/g, "~")));
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    if (!isMap(parent)) continue;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[n - 1]);
    if (pair && isNode(pair.key) && pair.key.range) return lines.linePos(pair.key.range[0]).line;
    if (parent.range) return lines.linePos(parent.range[0]).line;
  }
  return 1;
}

/** A validated file, with the line of any setting in it, for checks past the schema. */
export interface ValidatedYaml<T> {
  readonly value: T;
  readonly file: string;
  /** The line of the setting at a JSON pointer (`/users/3/ddi`). */
  lineOf(pointer: string): number;
}

export function validateYaml<S extends TSchema>(schema: S, text: string, file: string): Static<S> {
  return validateYamlWithLines(schema, text, file).value;
}

export function validateYamlWithLines<S extends TSchema>(schema: S, text: string, file: string): ValidatedYaml<Static<S>> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      "CONFIG_YAML_SYNTAX",
      doc.errors.map((e) => ({ file, line: lines.linePos(e.pos[0]).line, path: "", reason: `YAML syntax: ${e.message.split("\n")[0]}` })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const value = Value.Default(schema, structuredClone(raw));
  const problems: ConfigProblem[] = [];
  for (const e of Value.Errors(schema, value)) {
    problems.push({ file, line: lineOf(doc, lines, e.path), path: e.path.slice(1).replace(/\//g, "."), reason: e.message });
    if (problems.length >= 20) break;
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", problems);
  return { value: deepFreeze(value as Static<S>), file, lineOf: (pointer) => lineOf(doc, lines, pointer) };
}

export async function loadYamlFile<S extends TSchema>(schema: S, file: string): Promise<Static<S>> {
  return validateYamlWithLines(schema, await readConfigFile(file), file).value;
}

export async function readConfigFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (err as Error).message;
    throw new ConfigError("CONFIG_NOT_FOUND", [{ file, line: 0, path: "", reason }]);
  }
  return text;
}

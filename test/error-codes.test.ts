/** docs/errors.md lists every error code the source uses, and nothing that it no longer uses. */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Codes are declared as string-literal union members: `| "SIP_BAD_VIA"`. */
function declaredCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of sourceFiles(join(ROOT, "src"))) {
    // Comments may hold ';' (and so end the union early): they go first.
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    for (const decl of text.matchAll(/type \w*ErrorCode\s*=([^;]+);/g)) {
      for (const m of decl[1]!.matchAll(/"([A-Z][A-Z0-9_]+)"/g)) codes.add(m[1]!);
    }
  }
  return codes;
}

describe("docs/errors.md", () => {
  const documented = new Set([...readFileSync(join(ROOT, "docs/errors.md"), "utf8").matchAll(/^\| ([A-Z][A-Z0-9_]+) \|/gm)].map((m) => m[1]!));
  const declared = declaredCodes();

  it("lists every error code declared in src/", () => {
    expect([...declared].filter((c) => !documented.has(c))).toEqual([]);
  });

  it("lists no code that src/ no longer declares", () => {
    expect(declared.size).toBeGreaterThan(0);
    expect([...documented].filter((c) => !declared.has(c))).toEqual([]);
  });
});

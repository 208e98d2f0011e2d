/**
 * The built command line (`dist/cli/main.js`), as an admin runs it. The test
 * command builds before vitest runs; run alone, a test says how to build first.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run, start, type Exit, type Running } from "./child-process.js";

export const REPO = join(import.meta.dirname, "../../..");
export const CLI = join(REPO, "dist/cli/main.js");

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test builds before running vitest)`);
}

export function runCli(args: readonly string[], timeoutMs = 10_000): Promise<Exit> {
  return run(process.execPath, [CLI, ...args], timeoutMs, { cwd: REPO });
}

export function startCli(args: readonly string[]): Running {
  return start(process.execPath, [CLI, ...args], { cwd: REPO });
}

/** The pino JSON lines of a log, skipping anything that is not one. */
export function logLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split("\n").flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return value && typeof value === "object" ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

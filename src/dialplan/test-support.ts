/** Helpers for the dialplan's tests: small plans written inline, times, and the problems a plan gets. */
import { ConfigError, type ConfigProblem } from "../config/config-error.js";
import type { Decision, Dialplan, KnownNames } from "./dialplan.js";
import { parseDialplan } from "./parse-dialplan.js";
import { route } from "./route.js";

export const KNOWN: KnownNames = {
  knownExtensions: new Set(["2001", "2002", "2003"]),
  knownSites: new Set(["stafford"]),
  knownTrunks: new Set(["pstn", "police-net"]),
};

/** What the sample plan (dialplans/main.yaml) refers to: the sample users, a generated directory, Stafford, the PSTN. */
export const SAMPLE_KNOWN: KnownNames = {
  knownExtensions: new Set(["2001", "2002", "2003", ...Array.from({ length: 10_000 }, (_, i) => String(200_000 + i))]),
  knownSites: new Set(["stafford"]),
  knownTrunks: new Set(["pstn"]),
  knownClasses: new Set(["staff", "restricted", "international", "emergency-only", "inbound-from-legacy"]),
};

/** Lines joined, so that a test can say which line a problem is on: line n is `rows[n - 1]`. */
export function yaml(...rows: string[]): string {
  return rows.join("\n") + "\n";
}

/** The two lines every test plan starts with (lines 1 and 2). */
export const EMERGENCY = ["emergency:", "  target: { trunk: pstn }"];

export function planOf(text: string, known: KnownNames = KNOWN): Dialplan {
  return parseDialplan(text, "test.yaml", known);
}

/** The plan's problems as `line: reason`, or [] when it loads. */
export function problemsOf(text: string, known: KnownNames = KNOWN): ConfigProblem[] {
  try {
    parseDialplan(text, "test.yaml", known);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

/** Monday 30 November 2026, 10:00 in London (GMT). */
export const MONDAY_10AM = Date.parse("2026-11-30T10:00:00Z");

export function dial(plan: Dialplan, context: string, dialled: string, at: number = MONDAY_10AM): Decision {
  return route(plan, { from: "2001", context, dialled }, at);
}

/** Where a decision sends the call, in one comparable string. */
export function outcome(d: Decision): string {
  if (d.kind === "reject") return `reject ${d.status}`;
  const t = d.targets[0]!;
  const where = t.kind === "user" ? t.extension : t.kind === "group" ? t.name : t.kind === "legacy" ? t.site : t.kind === "trunk" ? t.name : "";
  return `${d.dialled} → ${t.kind}${where ? ` ${where}` : ""}`;
}

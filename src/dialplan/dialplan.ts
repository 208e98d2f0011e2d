/**
 * The loaded dialplan and what `route` returns. A `Dialplan` is built once by
 * `parseDialplan` and deep-frozen: a reload builds a new one and the holder swaps
 * one reference, so a call in flight keeps the plan it started with.
 */
import type { ConfigProblem } from "../config/config-error.js";
import type { DigitPattern } from "./digit-pattern.js";

/** Where a call may go. A hunt group stays one target: the proxy walks its members. */
export type Target =
  | { readonly kind: "user"; readonly extension: string }
  | GroupTarget
  | { readonly kind: "legacy"; readonly site: string }
  | { readonly kind: "trunk"; readonly name: string }
  | { readonly kind: "lcr" };

export interface GroupTarget {
  readonly kind: "group";
  readonly name: string;
  readonly members: readonly string[];
  /** `parallel` rings every member at once; `serial` one after another, `ringSeconds` each. */
  readonly strategy: "parallel" | "serial";
  readonly ringSeconds: number;
  /** Where the call goes when no member answers. */
  readonly overflow?: Target;
}

/** `user: "{dialled}"`: the extension is the dialled string, as translated so far. */
export const DIALLED_EXTENSION = "{dialled}";

/** What a rule (or a context's `otherwise`) does once it applies. */
export type RuleAction =
  | { readonly kind: "user"; readonly extension: string }
  | { readonly kind: "group"; readonly name: string }
  | { readonly kind: "legacy"; readonly site: string }
  | { readonly kind: "trunk"; readonly name: string }
  | { readonly kind: "lcr" }
  | { readonly kind: "reject"; readonly status: number; readonly reason: string }
  | { readonly kind: "context"; readonly name: string };

export interface Translation {
  /** Leading characters removed first. */
  readonly strip?: number;
  /** Then a leading string replaced (a literal prefix, not a regular expression). */
  readonly replace?: { readonly pattern: string; readonly with: string };
  /** Then a string put in front. */
  readonly prepend?: string;
}

export interface Rule {
  readonly context: string;
  /** 1-based position in its context, as an admin counts. */
  readonly index: number;
  /** Line of `match:` in the plan file. */
  readonly line: number;
  readonly name?: string;
  readonly pattern: DigitPattern;
  /** The rule applies only while this schedule is in force. */
  readonly when?: string;
  /** The rule applies only while this schedule is not in force. */
  readonly unless?: string;
  readonly translation: Translation;
  readonly action: RuleAction;
}

export interface Context {
  readonly name: string;
  readonly description?: string;
  readonly rules: readonly Rule[];
  /** What happens when no rule matches; without it, 404 (or 484 for a number cut short). */
  readonly otherwise?: { readonly line: number; readonly action: RuleAction };
}

/** Hours of one day, minutes from local midnight: from inclusive, to exclusive. */
export interface HoursRange {
  readonly from: number;
  readonly to: number;
}

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export interface DatedEntry {
  /** Local dates, `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  readonly to: string;
  readonly name?: string;
}

export interface Schedule {
  readonly name: string;
  readonly timezone: string;
  /** Days absent from the map have no hours. */
  readonly weekly: Readonly<Partial<Record<Weekday, readonly HoursRange[]>>>;
  /** Whole local days on which the schedule is in force (bank holidays, closures). */
  readonly dates: readonly DatedEntry[];
  /** Schedules that, while in force, take this one out of force. */
  readonly except: readonly string[];
}

export interface EmergencyNumber {
  /** As dialled. */
  readonly number: string;
  /** As sent to the emergency target (9999 → 999 where 9 is an outside-line habit). */
  readonly send: string;
}

export interface Dialplan {
  readonly file: string;
  /** FNV-1a of the file text: names the plan a call was routed by in traces and logs. */
  readonly version: string;
  /** For showing times in traces, and the default of every schedule. */
  readonly timezone: string;
  readonly emergency: { readonly numbers: readonly EmergencyNumber[]; readonly target: Target };
  readonly contexts: Readonly<Record<string, Context>>;
  readonly schedules: Readonly<Record<string, Schedule>>;
  /** Hunt groups, resolved (overflow included) so `route` hands the proxy a whole target. */
  readonly groups: Readonly<Record<string, GroupTarget>>;
  /** What `strowger check` reports without refusing the plan (overlapping rules, names not checked). */
  readonly warnings: readonly ConfigProblem[];
}

/**
 * Names the plan refers to that live elsewhere (the directory, sites, trunks). A set
 * left out is not checked, and the plan's warnings say so.
 */
export interface KnownNames {
  readonly knownExtensions?: ReadonlySet<string>;
  readonly knownSites?: ReadonlySet<string>;
  readonly knownTrunks?: ReadonlySet<string>;
  /** Classes of service users have: each needs a context. */
  readonly knownClasses?: ReadonlySet<string>;
}

export interface Call {
  /** The caller's extension or number; shown in the trace. */
  readonly from: string;
  /** The caller's class of service: the context matching starts in. */
  readonly context: string;
  readonly dialled: string;
}

export type TraceStep = "call" | "emergency" | "rule" | "schedule" | "translate" | "jump" | "otherwise" | "decision";

export interface TraceLine {
  readonly step: TraceStep;
  readonly text: string;
  readonly context?: string;
  /** The line in the plan file that this step comes from. */
  readonly line?: number;
}

export type Decision =
  | { readonly kind: "route"; readonly dialled: string; readonly targets: readonly Target[]; readonly trace: readonly TraceLine[] }
  | { readonly kind: "reject"; readonly status: number; readonly reason: string; readonly trace: readonly TraceLine[] };

/** Own-property lookup: plan names such as `constructor` must not find Object.prototype. */
export function lookup<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

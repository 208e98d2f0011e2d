/**
 * From the schema-checked file to the plan `route` runs on: patterns compiled, hours
 * in minutes, dates as ranges, hunt groups resolved with their overflow, 999 and 112
 * added to the emergency numbers. Problems found on the way (a pattern that does not
 * parse, a rule with no target, 17:00-09:00) are reported, and the piece is kept in a
 * form the later checks can still look at, so that one run names every problem.
 */
import {
  type Context,
  type DatedEntry,
  type Dialplan,
  type EmergencyNumber,
  type GroupTarget,
  type HoursRange,
  type Rule,
  type RuleAction,
  type Schedule,
  type Target,
  type Translation,
  type Weekday,
} from "./dialplan.js";
import type { DialplanFile, GroupFile, RuleFile, ScheduleFile, TargetFile } from "./dialplan-schema.js";
import { parsePattern, type DigitPattern } from "./digit-pattern.js";
import { isValidDate, isValidTimeZone } from "./local-time.js";
import type { Problems } from "./problems.js";

/** Emergency numbers the engine always knows, whatever the plan lists. */
export const BUILT_IN_EMERGENCY_NUMBERS: readonly string[] = ["999", "112"];

export interface BuiltPlan {
  readonly plan: Omit<Dialplan, "warnings">;
  /** Rules whose pattern or target is broken (already reported): left out of the rule-to-rule checks. */
  readonly broken: ReadonlySet<Rule>;
  /** Each hunt group's overflow, by group name, for the reference and loop checks. */
  readonly overflows: ReadonlyMap<string, RuleAction>;
  /** False when the emergency block is missing or broken (already reported). */
  readonly hasEmergency: boolean;
}

const DEFAULT_RING_SECONDS = 20;
const TARGET_KEYS = ["user", "group", "legacy", "trunk", "lcr", "reject", "context"] as const;
const NEVER: DigitPattern = { source: "", classes: [0], open: false };

export function rulePointer(rule: Pick<Rule, "context" | "index">): string {
  return `/contexts/${rule.context}/rules/${rule.index - 1}`;
}

/** The actions a target object names: more or fewer than one is the caller's to report. */
export function actionsOf(t: TargetFile): RuleAction[] {
  const out: RuleAction[] = [];
  for (const key of TARGET_KEYS) {
    if (t[key] === undefined) continue;
    if (key === "user") out.push({ kind: "user", extension: t.user! });
    else if (key === "group") out.push({ kind: "group", name: t.group! });
    else if (key === "legacy") out.push({ kind: "legacy", site: t.legacy! });
    else if (key === "trunk") out.push({ kind: "trunk", name: t.trunk! });
    else if (key === "lcr") out.push({ kind: "lcr" });
    else if (key === "reject") out.push({ kind: "reject", ...t.reject! });
    else out.push({ kind: "context", name: t.context! });
  }
  return out;
}

function oneAction(t: TargetFile, pointer: string, problems: Problems, what: string): RuleAction | undefined {
  const actions = actionsOf(t);
  if (actions.length === 1) return actions[0];
  problems.error(
    pointer,
    actions.length === 0
      ? `${what} has no target: give it one of ${TARGET_KEYS.join(", ")}`
      : `${what} has ${actions.length} targets (${actions.map((a) => a.kind).join(", ")}): give it exactly one`,
  );
  return undefined;
}

function hoursOf(text: string): HoursRange {
  const [from, to] = text.split("-").map((hhmm) => {
    const [h, m] = hhmm.split(":").map(Number) as [number, number];
    return h * 60 + m;
  }) as [number, number];
  return { from, to };
}

function buildSchedule(name: string, s: ScheduleFile, planZone: string, problems: Problems): Schedule {
  const at = `/schedules/${name}`;
  const timezone = s.timezone ?? planZone;
  if (!isValidTimeZone(timezone)) problems.error(`${at}/timezone`, `unknown time zone "${timezone}": use an IANA name such as Europe/London`);
  const weekly: Partial<Record<Weekday, HoursRange[]>> = {};
  for (const [day, value] of Object.entries(s.weekly ?? {}) as [Weekday, string | string[] | undefined][]) {
    if (value === undefined) continue;
    const ranges = (typeof value === "string" ? [value] : value).map(hoursOf);
    for (const r of ranges) {
      if (r.to <= r.from) {
        problems.error(`${at}/weekly/${day}`, `hours must end after they start; split hours past midnight across two days (e.g. mon: 22:00-24:00, tue: 00:00-06:00)`);
      }
    }
    weekly[day] = ranges.sort((a, b) => a.from - b.from);
  }
  const dates: DatedEntry[] = (s.dates ?? []).map((entry, i) => {
    const d = typeof entry === "string" ? { from: entry, to: entry } : "date" in entry ? { from: entry.date, to: entry.date, name: entry.name } : entry;
    for (const day of new Set([d.from, d.to])) {
      if (!isValidDate(day)) problems.error(`${at}/dates/${i}`, `${day} is not a date in the calendar (YYYY-MM-DD)`);
    }
    if (d.to < d.from) problems.error(`${at}/dates/${i}`, `the range ends (${d.to}) before it starts (${d.from})`);
    return d.name === undefined ? { from: d.from, to: d.to } : { from: d.from, to: d.to, name: d.name };
  });
  if (Object.keys(weekly).length === 0 && dates.length === 0) {
    problems.error(at, `schedule ${name} has neither weekly hours nor dates, so it is never in force`);
  }
  return { name, timezone, weekly, dates, except: s.except ?? [] };
}

function buildRule(context: string, i: number, r: RuleFile, problems: Problems, broken: Set<Rule>): Rule {
  const at = `/contexts/${context}/rules/${i}`;
  const parsed = parsePattern(r.match);
  if ("error" in parsed) problems.error(`${at}/match`, `pattern ${parsed.error}`);
  const action = oneAction(r, `${at}/match`, problems, `rule ${i + 1} of context ${context}`);
  const translation: Translation = {
    ...(r.strip !== undefined && { strip: r.strip }),
    ...(r.replace !== undefined && { replace: { pattern: r.replace.pattern, with: r.replace.with } }),
    ...(r.prepend !== undefined && { prepend: r.prepend }),
  };
  const rule: Rule = {
    context,
    index: i + 1,
    line: problems.line(`${at}/match`),
    ...(r.name !== undefined && { name: r.name }),
    pattern: "pattern" in parsed ? parsed.pattern : { ...NEVER, source: r.match },
    ...(r.when !== undefined && { when: r.when }),
    ...(r.unless !== undefined && { unless: r.unless }),
    translation,
    action: action ?? { kind: "reject", status: 500, reason: "Server Internal Error: rule without a target" },
  };
  if ("error" in parsed || !action) broken.add(rule);
  return rule;
}

function buildContext(name: string, c: DialplanFile["contexts"][string], problems: Problems, broken: Set<Rule>): Context {
  const rules = (c.rules ?? []).map((r, i) => buildRule(name, i, r, problems, broken));
  const otherwiseAction = c.otherwise && oneAction(c.otherwise, `/contexts/${name}/otherwise`, problems, `otherwise of context ${name}`);
  return {
    name,
    ...(c.description !== undefined && { description: c.description }),
    rules,
    ...(otherwiseAction && { otherwise: { line: problems.line(`/contexts/${name}/otherwise`), action: otherwiseAction } }),
  };
}

/** Hunt-group overflow and the emergency target must end the routing: only some kinds fit. */
function restricted(action: RuleAction | undefined, allowed: readonly RuleAction["kind"][], pointer: string, problems: Problems, what: string): RuleAction | undefined {
  if (action === undefined || allowed.includes(action.kind)) return action;
  problems.error(`${pointer}/${action.kind}`, `${what} cannot be ${action.kind === "context" ? "a context" : action.kind}: use ${allowed.join(", ")}`);
  return undefined;
}

/** Groups with their overflow resolved; a loop of overflows (reported by the checks) is cut. */
function resolveGroups(files: Readonly<Record<string, GroupFile>>, overflows: ReadonlyMap<string, RuleAction>): Record<string, GroupTarget> {
  const out: Record<string, GroupTarget> = {};
  const resolve = (name: string, seen: ReadonlySet<string>): GroupTarget | undefined => {
    const g = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!g || seen.has(name)) return undefined;
    const o = overflows.get(name);
    let overflow: Target | undefined;
    if (o?.kind === "group") overflow = resolve(o.name, new Set([...seen, name]));
    else if (o && o.kind !== "reject" && o.kind !== "context") overflow = o;
    const strategy = g.strategy ?? "serial";
    return { kind: "group", name, members: g.members, strategy, ringSeconds: g.ringSeconds ?? DEFAULT_RING_SECONDS, ...(overflow && { overflow }) };
  };
  for (const name of Object.keys(files)) {
    const g = resolve(name, new Set());
    if (g) out[name] = g;
  }
  return out;
}

function buildEmergency(e: DialplanFile["emergency"], problems: Problems): Dialplan["emergency"] | undefined {
  const numbers = new Map<string, EmergencyNumber>();
  for (const n of BUILT_IN_EMERGENCY_NUMBERS) numbers.set(n, { number: n, send: n });
  for (const entry of e?.numbers ?? []) {
    const n = typeof entry === "string" ? { number: entry, send: entry } : entry;
    numbers.set(n.number, n);
  }
  if (!e) {
    problems.error("/emergency", "the plan has no emergency target: add `emergency: { target: { trunk: pstn } }` (or a legacy site) so that 999 and 112 always route");
    return undefined;
  }
  const action = oneAction(e.target, "/emergency/target", problems, "the emergency target");
  const target = restricted(action, ["trunk", "legacy"], "/emergency/target", problems, "the emergency target");
  return target?.kind === "trunk" || target?.kind === "legacy" ? { numbers: [...numbers.values()], target } : undefined;
}

export function buildDialplan(value: DialplanFile, file: string, version: string, problems: Problems): BuiltPlan {
  const broken = new Set<Rule>();
  if (!isValidTimeZone(value.timezone)) problems.error("/timezone", `unknown time zone "${value.timezone}": use an IANA name such as Europe/London`);
  const timezone = isValidTimeZone(value.timezone) ? value.timezone : "UTC";
  const schedules: Record<string, Schedule> = {};
  for (const [name, s] of Object.entries(value.schedules)) schedules[name] = buildSchedule(name, s, timezone, problems);
  const overflows = new Map<string, RuleAction>();
  for (const [name, g] of Object.entries(value.groups)) {
    const pointer = `/groups/${name}/overflow`;
    const action = g.overflow && oneAction(g.overflow, pointer, problems, `overflow of hunt group ${name}`);
    const target = restricted(action, ["user", "group", "legacy", "trunk", "lcr"], pointer, problems, `overflow of hunt group ${name}`);
    if (target) overflows.set(name, target);
  }
  const contexts: Record<string, Context> = {};
  for (const [name, c] of Object.entries(value.contexts)) contexts[name] = buildContext(name, c, problems, broken);
  const built = buildEmergency(value.emergency, problems);
  // Without a usable emergency block the plan is refused; the stand-in only lets the checks run.
  const emergency = built ?? { numbers: BUILT_IN_EMERGENCY_NUMBERS.map((n) => ({ number: n, send: n })), target: { kind: "trunk", name: "" } };
  return {
    plan: { file, version, timezone, emergency, contexts, schedules, groups: resolveGroups(value.groups, overflows) },
    broken,
    overflows,
    hasEmergency: built !== undefined,
  };
}

/**
 * What the schema cannot say about a plan: names that must exist, rules that can never
 * apply, rules whose order decides (warnings), loops, and the emergency guarantee.
 * Each problem is reported at the line of the setting to change.
 */
import type { BuiltPlan } from "./build-dialplan.js";
import { rulePointer } from "./build-dialplan.js";
import { DIALLED_EXTENSION, lookup, type KnownNames, type Rule, type RuleAction } from "./dialplan.js";
import { matchPattern } from "./digit-pattern.js";
import { findCycles, type Edge } from "./find-cycles.js";
import { describeAction, describeTarget } from "./format-trace.js";
import { commonExample, covers } from "./pattern-relations.js";
import type { Problems } from "./problems.js";

/** Every place a plan names a target, with where it is written and what may be there. */
interface ActionSite {
  readonly action: RuleAction;
  /** The setting holding the action's key; the key itself is `${at}/${action.kind}`. */
  readonly at: string;
  readonly what: string;
  /** Hunt-group overflow and the emergency target need a fixed extension. */
  readonly fixedExtension?: boolean;
}

function actionSites(built: BuiltPlan): ActionSite[] {
  const sites: ActionSite[] = [];
  for (const context of Object.values(built.plan.contexts)) {
    for (const rule of context.rules) {
      if (!built.broken.has(rule)) sites.push({ action: rule.action, at: rulePointer(rule), what: `rule ${rule.index} of context ${context.name}` });
    }
    if (context.otherwise) sites.push({ action: context.otherwise.action, at: `/contexts/${context.name}/otherwise`, what: `otherwise of context ${context.name}` });
  }
  for (const [group, action] of built.overflows) {
    sites.push({ action, at: `/groups/${group}/overflow`, what: `overflow of hunt group ${group}`, fixedExtension: true });
  }
  if (built.hasEmergency) sites.push({ action: built.plan.emergency.target, at: "/emergency/target", what: "the emergency target" });
  return sites;
}

function checkReferences(built: BuiltPlan, known: KnownNames, problems: Problems): void {
  const { plan } = built;
  const unchecked = new Set<string>();
  const checkName = (set: ReadonlySet<string> | undefined, name: string, pointer: string, reason: string, kind: string) => {
    if (set === undefined) unchecked.add(kind);
    else if (!set.has(name)) problems.error(pointer, reason);
  };
  for (const { action, at, what, fixedExtension } of actionSites(built)) {
    const pointer = `${at}/${action.kind}`;
    switch (action.kind) {
      case "user":
        if (action.extension === DIALLED_EXTENSION) {
          if (fixedExtension) problems.error(pointer, `${what} must name an extension, not ${DIALLED_EXTENSION}`);
        } else {
          checkName(known.knownExtensions, action.extension, pointer, `${what}: no user has extension ${action.extension}; add the user or fix the number`, "extensions");
        }
        break;
      case "group":
        if (!lookup(plan.groups, action.name)) problems.error(pointer, `${what}: no hunt group ${action.name} under groups`);
        break;
      case "context":
        if (!lookup(plan.contexts, action.name)) problems.error(pointer, `${what}: no context ${action.name} under contexts`);
        break;
      case "legacy":
        checkName(known.knownSites, action.site, pointer, `${what}: unknown site ${action.site}; name a site with a legacy PBX`, "sites");
        break;
      case "trunk":
        checkName(known.knownTrunks, action.name, pointer, `${what}: unknown trunk ${action.name}`, "trunks");
        break;
    }
  }
  for (const [name, group] of Object.entries(plan.groups)) {
    group.members.forEach((member, i) =>
      checkName(known.knownExtensions, member, `/groups/${name}/members/${i}`, `hunt group ${name}: no user has extension ${member}`, "extensions"),
    );
  }
  for (const context of Object.values(plan.contexts)) {
    for (const rule of context.rules) {
      for (const key of ["when", "unless"] as const) {
        const name = rule[key];
        if (name !== undefined && !lookup(plan.schedules, name)) {
          problems.error(`${rulePointer(rule)}/${key}`, `rule ${rule.index} of context ${context.name}: no schedule ${name} under schedules`);
        }
      }
    }
  }
  for (const schedule of Object.values(plan.schedules)) {
    schedule.except.forEach((other, i) => {
      if (!lookup(plan.schedules, other)) problems.error(`/schedules/${schedule.name}/except/${i}`, `schedule ${schedule.name}: no schedule ${other} to except`);
    });
  }
  for (const kind of unchecked) problems.warn("", `${kind} were not checked: no list of known ${kind} was given`);
}

/** True when `earlier` applies at every time `later` does (so its pattern alone decides). */
function appliesWheneverLaterDoes(earlier: Rule, later: Rule): boolean {
  return (earlier.when === undefined || earlier.when === later.when) && (earlier.unless === undefined || earlier.unless === later.unless);
}

function describeRule(rule: Rule): string {
  return `rule ${rule.index} (line ${rule.line}, ${rule.pattern.source})`;
}

function checkRuleOrder(built: BuiltPlan, problems: Problems): void {
  for (const context of Object.values(built.plan.contexts)) {
    const rules = context.rules.filter((r) => !built.broken.has(r));
    for (const [j, later] of rules.entries()) {
      const at = `${rulePointer(later)}/match`;
      if (later.when !== undefined && later.when === later.unless) {
        problems.error(at, `rule ${later.index} of context ${context.name} has when and unless ${later.when}, so it never applies`);
        continue;
      }
      for (const earlier of rules.slice(0, j)) {
        if (covers(earlier.pattern, later.pattern)) {
          if (!appliesWheneverLaterDoes(earlier, later)) continue;
          problems.error(
            at,
            `rule ${later.index} of context ${context.name} (${later.pattern.source}) is unreachable: ${describeRule(earlier)} matches every number it does and is tried first; remove it or move it above`,
          );
          break;
        }
        // A narrower rule first is the usual idiom (0800 before 0X.); only a partial overlap is worth a look.
        if (covers(later.pattern, earlier.pattern)) continue;
        const example = commonExample(earlier.pattern, later.pattern);
        if (example !== undefined) {
          problems.warn(
            at,
            `rule ${later.index} of context ${context.name} (${later.pattern.source}) overlaps ${describeRule(earlier)}: numbers such as ${example} match both and go by the earlier rule`,
          );
        }
      }
    }
  }
}

function sameTarget(a: RuleAction, b: RuleAction): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function checkEmergency(built: BuiltPlan, problems: Problems): void {
  if (!built.hasEmergency) return;
  const { numbers, target } = built.plan.emergency;
  for (const context of Object.values(built.plan.contexts)) {
    for (const rule of context.rules) {
      if (built.broken.has(rule) || sameTarget(rule.action, target)) continue;
      const hit = numbers.find((n) => matchPattern(rule.pattern, n.number) === "match");
      if (!hit) continue;
      problems.error(
        `${rulePointer(rule)}/match`,
        `rule ${rule.index} of context ${context.name} (${rule.pattern.source}) matches emergency number ${hit.number} but goes to ${describeAction(rule.action)}; ` +
          `emergency numbers always go to ${describeTarget(target)}, so narrow the pattern to leave ${hit.number} out, or give the rule the emergency target`,
      );
    }
  }
}

function checkLoops(built: BuiltPlan, problems: Problems): void {
  const { plan } = built;
  const contextEdges = new Map<string, Edge[]>();
  for (const context of Object.values(plan.contexts)) {
    const edges: Edge[] = [];
    for (const rule of context.rules) if (rule.action.kind === "context") edges.push({ to: rule.action.name, pointer: `${rulePointer(rule)}/context` });
    if (context.otherwise?.action.kind === "context") edges.push({ to: context.otherwise.action.name, pointer: `/contexts/${context.name}/otherwise/context` });
    contextEdges.set(context.name, edges);
  }
  for (const c of findCycles(contextEdges)) problems.error(c.closedAt, `context loop: ${c.path.join(" → ")}; a context may not lead back to itself`);

  const groupEdges = new Map<string, Edge[]>();
  for (const [group, action] of built.overflows) {
    if (action.kind === "group") groupEdges.set(group, [{ to: action.name, pointer: `/groups/${group}/overflow/group` }]);
  }
  for (const c of findCycles(groupEdges)) problems.error(c.closedAt, `hunt group overflow loop: ${c.path.join(" → ")}`);

  const scheduleEdges = new Map<string, Edge[]>();
  for (const s of Object.values(plan.schedules)) {
    scheduleEdges.set(s.name, s.except.map((to, i) => ({ to, pointer: `/schedules/${s.name}/except/${i}` })));
  }
  for (const c of findCycles(scheduleEdges)) problems.error(c.closedAt, `schedule exception loop: ${c.path.join(" → ")}`);
}

function checkUse(built: BuiltPlan, known: KnownNames, problems: Problems): void {
  const { plan } = built;
  const used = { group: new Set<string>(), context: new Set<string>(), schedule: new Set<string>() };
  for (const { action } of actionSites(built)) {
    if (action.kind === "group") used.group.add(action.name);
    if (action.kind === "context") used.context.add(action.name);
  }
  for (const context of Object.values(plan.contexts)) {
    for (const rule of context.rules) for (const s of [rule.when, rule.unless]) if (s !== undefined) used.schedule.add(s);
  }
  for (const s of Object.values(plan.schedules)) for (const other of s.except) used.schedule.add(other);
  for (const name of Object.keys(plan.groups)) if (!used.group.has(name)) problems.warn(`/groups/${name}`, `hunt group ${name} is not used by any rule`);
  for (const name of Object.keys(plan.schedules)) if (!used.schedule.has(name)) problems.warn(`/schedules/${name}`, `schedule ${name} is not used by any rule`);
  if (known.knownClasses === undefined) return;
  for (const cls of [...known.knownClasses].sort()) {
    if (!lookup(plan.contexts, cls)) {
      problems.error("/contexts", `class of service ${cls} has no context: its users could call only emergency numbers; add contexts.${cls}`);
    }
  }
  for (const name of Object.keys(plan.contexts)) {
    if (!known.knownClasses.has(name) && !used.context.has(name)) {
      problems.warn(`/contexts/${name}`, `context ${name} is neither a class of service nor continued into by any rule`);
    }
  }
}

export function checkDialplan(built: BuiltPlan, known: KnownNames, problems: Problems): void {
  checkReferences(built, known, problems);
  checkRuleOrder(built, problems);
  checkEmergency(built, problems);
  checkLoops(built, problems);
  checkUse(built, known, problems);
}

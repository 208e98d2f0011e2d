/**
 * The routing decision for one call: a pure function of the call, the plan and the
 * time. Everything that shows an admin what happens to a call calls this, and so does
 * the proxy, so the explanation is always the one that was acted on.
 *
 * Order of play:
 *  1. Emergency numbers (999, 112 and the plan's others) go to the emergency target
 *     before anything else, from every context, even one the plan lacks.
 *  2. In the caller's context, rules are tried in the order written; the first that
 *     matches and whose `when`/`unless` schedule allows it wins: its rewrites apply,
 *     then its target, or it continues in another context with the rewritten number.
 *  3. When no rule applies, the context's `otherwise`; without one, 484 when the number
 *     could still grow into a match (dialled too short), else 404.
 *
 * `route` never throws: a call it cannot route gets a rejection that says why.
 */
import {
  DIALLED_EXTENSION,
  lookup,
  type Call,
  type Context,
  type Decision,
  type Dialplan,
  type Rule,
  type RuleAction,
  type Target,
  type TraceLine,
} from "./dialplan.js";
import { matchPattern } from "./digit-pattern.js";
import { describeAction, describeTarget } from "./format-trace.js";
import { localTime } from "./local-time.js";
import { scheduleVerdict } from "./schedule.js";
import { translate } from "./translate.js";

/** Longer than any real number with prefixes (00 + 15 digits of E.164 + codes). */
export const MAX_DIALLED_LENGTH = 64;
/** Context loops are refused when the plan loads; the bound only guards a hand-built plan. */
const MAX_JUMPS = 32;

const shown = (s: string) => (s === "" ? "(nothing)" : JSON.stringify(s).slice(1, -1));

export function route(plan: Dialplan, call: Call, at: number): Decision {
  const trace: TraceLine[] = [];
  // Date's range is ±8.64e15 ms; past it Intl throws, and emergency calls must still route.
  const validTime = Number.isFinite(at) && Math.abs(at) <= 8.64e15;
  const when = validTime ? localTime(at, plan.timezone).text : `an invalid time (${at})`;
  trace.push({
    step: "call",
    text: `${shown(call.from)} (class ${shown(call.context)}) dials ${shown(call.dialled)}, ${when}; plan ${plan.file} version ${plan.version}`,
  });
  // A decision is frozen like the plan: the proxy and the CDR may keep it.
  const finished = (text: string): readonly TraceLine[] => {
    trace.push({ step: "decision", text });
    return Object.freeze(trace.map((t) => Object.freeze(t)));
  };
  const reject = (status: number, reason: string): Decision =>
    Object.freeze({ kind: "reject", status, reason, trace: finished(`→ reject ${status} ${reason}`) });
  const routeTo = (dialled: string, target: Target): Decision =>
    Object.freeze({ kind: "route", dialled, targets: Object.freeze([target]), trace: finished(`→ route ${shown(dialled)} to ${describeTarget(target)}`) });

  const emergency = plan.emergency.numbers.find((n) => n.number === call.dialled);
  if (emergency) {
    const sent = emergency.send === emergency.number ? "" : ` (sent as ${emergency.send})`;
    trace.push({ step: "emergency", text: `${emergency.number} is an emergency number${sent}: it routes before any rule, from every context` });
    return routeTo(emergency.send, plan.emergency.target);
  }
  if (!validTime) return reject(500, "Server Internal Error: the routing time is not a valid instant");
  if (call.dialled.length > MAX_DIALLED_LENGTH) return reject(404, `Not Found: over ${MAX_DIALLED_LENGTH} characters dialled`);

  const first = lookup(plan.contexts, call.context);
  if (!first) return reject(403, `Forbidden: class of service ${shown(call.context)} has no dialplan context`);
  let context: Context = first;
  let dialled = call.dialled;
  // A rule that matched the start of the number: without a match, the caller dialled too few digits.
  let cutShort = false;
  for (let jumps = 0; jumps <= MAX_JUMPS; jumps++) {
    let action: RuleAction | undefined;
    for (const rule of context.rules) {
      const result = matchPattern(rule.pattern, dialled);
      if (result !== "match") {
        if (result === "prefix") cutShort = true;
        trace.push(ruleLine(rule, result === "prefix" ? "needs more digits" : "no match"));
        continue;
      }
      const blockedBy = conditionsBlock(plan, rule, at, trace);
      if (blockedBy) continue;
      const t = translate(rule.translation, dialled);
      for (const step of t.steps) trace.push({ step: "translate", text: step, context: rule.context, line: rule.line });
      dialled = t.dialled;
      action = rule.action;
      break;
    }
    if (!action) {
      if (!context.otherwise) {
        return cutShort
          ? reject(484, `Address Incomplete: ${shown(dialled)} is the start of a longer number`)
          : reject(404, `Not Found: no rule of context ${context.name} matches ${shown(dialled)}`);
      }
      action = context.otherwise.action;
      trace.push({
        step: "otherwise",
        text: `${context.name}: no rule applies; otherwise (line ${context.otherwise.line}): ${describeAction(action)}`,
        context: context.name,
        line: context.otherwise.line,
      });
    }
    switch (action.kind) {
      case "reject":
        return reject(action.status, action.reason);
      case "context": {
        const next: Context | undefined = lookup(plan.contexts, action.name);
        if (!next) return reject(500, `Server Internal Error: context ${action.name} is not defined`);
        trace.push({ step: "jump", text: `continue in context ${action.name} with ${shown(dialled)}`, context: action.name });
        context = next;
        continue;
      }
      case "group": {
        const group = lookup(plan.groups, action.name);
        return group ? routeTo(dialled, group) : reject(500, `Server Internal Error: hunt group ${action.name} is not defined`);
      }
      case "user":
        return routeTo(dialled, { kind: "user", extension: action.extension === DIALLED_EXTENSION ? dialled : action.extension });
      default:
        return routeTo(dialled, action);
    }
  }
  return reject(500, `Server Internal Error: more than ${MAX_JUMPS} context jumps (a loop)`);
}

function ruleLine(rule: Rule, outcome: string): TraceLine {
  const name = rule.name ? ` "${rule.name}"` : "";
  return {
    step: "rule",
    text: `${rule.context} rule ${rule.index}${name} (line ${rule.line}) ${rule.pattern.source}: ${outcome}`,
    context: rule.context,
    line: rule.line,
  };
}

/** Traces the rule's schedule conditions; true when one keeps the rule from applying. */
function conditionsBlock(plan: Dialplan, rule: Rule, at: number, trace: TraceLine[]): boolean {
  const checks: string[] = [];
  let blocked = false;
  for (const [word, name, wanted] of [
    ["when", rule.when, true],
    ["unless", rule.unless, false],
  ] as const) {
    if (name === undefined) continue;
    const verdict = scheduleVerdict(plan.schedules, name, at);
    checks.push(`${word} ${name}: ${verdict.inForce ? "in force" : "not in force"} (${verdict.why})`);
    if (verdict.inForce !== wanted) blocked = true;
  }
  trace.push(ruleLine(rule, blocked ? "matches, but its schedule keeps it out" : "matches"));
  for (const text of checks) trace.push({ step: "schedule", text, context: rule.context, line: rule.line });
  return blocked;
}

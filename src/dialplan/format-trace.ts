/** Decisions and targets in words, for `strowger route`, the admin console and logs. */
import type { Decision, RuleAction, Target, TraceStep } from "./dialplan.js";

export function describeTarget(target: Target): string {
  switch (target.kind) {
    case "user":
      return `user ${target.extension}`;
    case "group": {
      const how = target.strategy === "serial" ? `serial, ${target.ringSeconds} s each` : `parallel, ${target.ringSeconds} s`;
      const overflow = target.overflow ? `; no answer: ${describeTarget(target.overflow)}` : "";
      return `hunt group ${target.name} (${how}: ${target.members.join(", ")}${overflow})`;
    }
    case "legacy":
      return `legacy PBX of site ${target.site}`;
    case "trunk":
      return `trunk ${target.name}`;
    case "lcr":
      return "least-cost routing";
  }
}

export function describeAction(action: RuleAction): string {
  switch (action.kind) {
    case "group":
      return `hunt group ${action.name}`;
    case "reject":
      return `reject ${action.status} ${action.reason}`;
    case "context":
      return `continue in context ${action.name}`;
    default:
      return describeTarget(action);
  }
}

const INDENT: Readonly<Record<TraceStep, string>> = {
  call: "",
  emergency: "  ",
  rule: "  ",
  schedule: "      ",
  translate: "      ",
  jump: "  ",
  otherwise: "  ",
  decision: "",
};

/** The trace, one step a line, and the decision last. */
export function formatTrace(decision: Decision): string {
  return decision.trace.map((t) => INDENT[t.step] + t.text).join("\n") + "\n";
}

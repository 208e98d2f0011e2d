/**
 * A call plan as a small tree: each step says which step follows it when it ends
 * busy, unanswered or failed. Built before the call starts (every look-up done),
 * walked by the ProxyCall as steps end.
 */
import type { CallPlan, ForkStep, StepOutcome } from "./branch-target.js";

export interface PlanNode {
  readonly step: ForkStep;
  busy?: PlanNode;
  noAnswer?: PlanNode;
  failed?: PlanNode;
}

const BRANCH: Record<StepOutcome, keyof Omit<PlanNode, "step">> = { busy: "busy", "no-answer": "noAnswer", failed: "failed" };

/** Makes `then` follow every outcome of every leaf of `node` that has no follower yet. */
export function thenOnAll(node: PlanNode, then: PlanNode, seen = new Set<PlanNode>()): void {
  if (seen.has(node)) return;
  seen.add(node);
  for (const key of ["busy", "noAnswer", "failed"] as const) {
    const next = node[key];
    if (next === undefined) node[key] = then;
    else if (next !== then) thenOnAll(next, then, seen);
  }
}

export function planFrom(root: PlanNode): CallPlan {
  let current: PlanNode | undefined = root;
  return {
    first: root.step,
    next(outcome) {
      current = current?.[BRANCH[outcome]];
      return current?.step;
    },
  };
}

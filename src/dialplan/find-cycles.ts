/**
 * Loops in a graph of named things (contexts that continue in contexts, hunt groups
 * that overflow to groups, schedules with exceptions). Each loop is reported once, at
 * the edge that closes it, with the path round it for the message.
 */
export interface Edge {
  readonly to: string;
  /** Where the edge is written, for the problem's line. */
  readonly pointer: string;
}

export interface Cycle {
  /** The names round the loop, first repeated last: `staff → national → staff`. */
  readonly path: readonly string[];
  readonly closedAt: string;
}

export function findCycles(edges: ReadonlyMap<string, readonly Edge[]>): Cycle[] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: Cycle[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const edge of edges.get(node) ?? []) {
      const seen = state.get(edge.to);
      if (seen === "open") cycles.push({ path: [...stack.slice(stack.indexOf(edge.to)), edge.to], closedAt: edge.pointer });
      else if (seen === undefined) visit(edge.to);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/**
 * What `GET /health` says of a node, for a load balancer, keepalived or an operator
 * (ARCHITECTURE.md: say a Redis outage loudly on the "health endpoint" too). A node
 * that routes from its last known state while Redis is away is degraded but serving:
 * 200, so that a pair whose Redis is down keeps both nodes in service. An overloaded
 * node (it answers new work 503, RFC 3261 §21.5.4) or one shutting down is 503, so that
 * new work goes to the other node.
 */
import type { StateHealth } from "../state/index.js";

export type NodeStatus = "ok" | "degraded" | "overloaded" | "stopping";

export interface HealthFacts {
  readonly node: string;
  readonly state: StateHealth;
  readonly overloaded: boolean;
  /** `stop()` has begun. */
  readonly stopping: boolean;
  /** Call records and BYEs waiting for Redis, and the AORs the node could route to without it. */
  readonly lastKnown: { readonly queuedRecords: number; readonly waitingByes: number; readonly knownAors: number };
}

export interface NodeHealth extends HealthFacts {
  readonly status: NodeStatus;
}

/** What `GET /health` answers: the HTTP status and the JSON body. */
export interface HealthAnswer {
  readonly httpStatus: 200 | 503;
  readonly body: NodeHealth;
}

export function nodeHealth(facts: HealthFacts): HealthAnswer {
  const status: NodeStatus =
    facts.stopping || facts.state.state === "closed" ? "stopping" : facts.overloaded ? "overloaded" : facts.state.state === "ready" ? "ok" : "degraded";
  return { httpStatus: status === "ok" || status === "degraded" ? 200 : 503, body: { status, ...facts } };
}

import { describe, expect, it } from "vitest";
import type { StateHealth } from "../state/index.js";
import { nodeHealth, type HealthFacts } from "./node-health.js";

const ready: StateHealth = { backend: "redis", state: "ready", since: 0, target: "redis://127.0.0.1:6379/0" };
const facts = (overrides: Partial<HealthFacts> = {}): HealthFacts => ({
  node: "a",
  state: ready,
  overloaded: false,
  stopping: false,
  lastKnown: { queuedRecords: 0, waitingByes: 0, knownAors: 10 },
  ...overrides,
});

describe("nodeHealth", () => {
  it("is ok, 200, while the node and its store are well", () => {
    expect(nodeHealth(facts())).toEqual({ httpStatus: 200, body: { status: "ok", ...facts() } });
  });

  it("is degraded but 200 while Redis is away: the node still routes from its last known state", () => {
    const away = facts({ state: { ...ready, state: "unreachable", lastError: "connect ECONNREFUSED" }, lastKnown: { queuedRecords: 3, waitingByes: 1, knownAors: 10 } });
    expect(nodeHealth(away)).toMatchObject({ httpStatus: 200, body: { status: "degraded", lastKnown: { queuedRecords: 3, waitingByes: 1 } } });
    expect(nodeHealth(facts({ state: { ...ready, state: "connecting" } })).body.status).toBe("degraded");
  });

  it("is 503 while overloaded (new work is refused, RFC 3261 §21.5.4) or stopping, so new work goes to the other node", () => {
    expect(nodeHealth(facts({ overloaded: true }))).toMatchObject({ httpStatus: 503, body: { status: "overloaded" } });
    expect(nodeHealth(facts({ stopping: true }))).toMatchObject({ httpStatus: 503, body: { status: "stopping" } });
    expect(nodeHealth(facts({ state: { ...ready, state: "closed" } }))).toMatchObject({ httpStatus: 503, body: { status: "stopping" } });
  });
});

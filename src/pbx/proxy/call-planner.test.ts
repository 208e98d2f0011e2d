/**
 * The call planner: dialplan decision → steps. Hunt groups ring in the order
 * written, forwarding follows the user's step by outcome, a forwarded call carries
 * an RFC 5806 Diversion, and the diversion limit stops ping-pong.
 */
import { describe, expect, it } from "vitest";
import { parseDialplan } from "../../dialplan/index.js";
import { MemoryStateStore, type Binding } from "../../state/index.js";
import { diversionCount, MAX_DIVERSIONS, planCall, type PlannerContext } from "./call-planner.js";

const PLAN = `
emergency: { target: { trunk: pstn } }
groups:
  sales: { members: ["2002", "2003", "2004"], strategy: serial, ringSeconds: 5, overflow: { user: "2005" } }
contexts:
  staff:
    rules:
      - { match: "3000", group: sales }
      - { match: _2XXX, user: "{dialled}" }
      - { match: _0., trunk: pstn }
`;
const NOW = 1_800_000_000_000;

async function context(registered: string[], features: PlannerContext["features"] = {}): Promise<PlannerContext> {
  const store = new MemoryStateStore({ clock: () => NOW });
  for (const ext of registered) {
    const binding: Binding = {
      key: `uri sip:${ext}@192.0.2.1`,
      aor: `sip:${ext}@strowger.local`,
      contact: `sip:${ext}@192.0.2.1:5060`,
      expiresAt: NOW + 60_000,
      callId: `c${ext}`,
      cseq: 1,
      path: [],
      source: { transport: "UDP", address: "192.0.2.1", port: 5060 },
      node: "a",
      registeredAt: NOW,
    };
    await store.updateBindings(binding.aor, () => [binding]);
  }
  return {
    store,
    dialplan: parseDialplan(PLAN, "plan.yaml", {}),
    domain: "strowger.local",
    node: "a",
    trunks: { pstn: { uri: "sip:192.0.2.50:5060;transport=udp" } },
    sites: {},
    features,
    contextOf: () => "staff",
    viaPeer: () => undefined,
    now: NOW,
  };
}

const call = (dialled: string, diversions = 0) => ({ from: "2001", context: "staff", dialled, diversions });

describe("call planner", () => {
  it("rings every registered device of a user at once (parallel forking, RFC 3261 §16.5)", async () => {
    const planned = await planCall(await context(["2002"]), call("2002"));
    if (planned.kind !== "plan") throw new Error(planned.reason);
    expect(planned.plan.first.targets.map((t) => t.uri)).toEqual(["sip:2002@192.0.2.1:5060"]);
    expect(planned.plan.first.targets[0]!.destination).toMatchObject({ transport: "UDP", address: "192.0.2.1", port: 5060 });
  });

  it("rings a serial hunt group's registered members in order, then overflows", async () => {
    const planned = await planCall(await context(["2002", "2004", "2005"]), call("3000"));
    if (planned.kind !== "plan") throw new Error(planned.reason);
    const labels = [planned.plan.first.label];
    for (let step = planned.plan.next("no-answer", 480); step; step = planned.plan.next("no-answer", 480)) labels.push(step.label);
    // 2003 is not registered: skipped, not rung.
    expect(labels).toEqual(["group sales: 2002", "group sales: 2004", "user 2005"]);
    expect(planned.plan.first.ringMs).toBe(5000);
  });

  it("forwards on busy and on no answer to different places, each with a Diversion (RFC 5806)", async () => {
    const features = { "2002": { forwardBusy: "2003", forwardNoAnswer: "2004", noAnswerSeconds: 10 } };
    const ctx = await context(["2002", "2003", "2004"], features);
    const busy = await planCall(ctx, call("2002"));
    const noAnswer = await planCall(ctx, call("2002"));
    if (busy.kind !== "plan" || noAnswer.kind !== "plan") throw new Error("no plan");
    expect(busy.plan.first.ringMs).toBe(10_000);
    const afterBusy = busy.plan.next("busy", 486)!;
    expect(afterBusy.label).toBe("user 2003");
    expect(afterBusy.targets[0]!.headers).toEqual([["Diversion", "<sip:2002@strowger.local>;reason=user-busy;counter=1"]]);
    expect(noAnswer.plan.next("no-answer", 480)!.label).toBe("user 2004");
  });

  it("forwards an unregistered user's calls (call forward unregistered), and refuses 480 without a forward", async () => {
    const forwarded = await planCall(await context(["2003"], { "2002": { forwardUnregistered: "2003" } }), call("2002"));
    expect(forwarded.kind === "plan" && forwarded.plan.first.label).toBe("user 2003");
    expect(await planCall(await context([]), call("2002"))).toMatchObject({ kind: "reject", status: 480 });
  });

  it("MUST NOT forward a call that has already been diverted the most times (no ping-pong between systems)", async () => {
    const ctx = await context(["2003"], { "2002": { forwardUnregistered: "2003" } });
    expect(await planCall(ctx, call("2002", MAX_DIVERSIONS))).toMatchObject({ kind: "reject", status: 480 });
  });

  it("sends a trunk call to the trunk with the dialled number as the user part", async () => {
    const planned = await planCall(await context([]), call("01785123456"));
    expect(planned.kind === "plan" && planned.plan.first.targets[0]!.uri).toBe("sip:01785123456@192.0.2.50:5060;transport=udp");
  });

  it("counts RFC 5806 Diversion counters", () => {
    expect(diversionCount(["<sip:a@x>;reason=unconditional;counter=2", "<sip:b@x>"])).toBe(3);
  });
});

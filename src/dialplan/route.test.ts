import { describe, expect, it } from "vitest";
import { formatTrace } from "./format-trace.js";
import { route } from "./route.js";
import { dial, EMERGENCY, MONDAY_10AM, outcome, planOf, yaml } from "./test-support.js";

const plan = planOf(
  yaml(
    "emergency:",
    "  numbers: ['9999', { number: '9112', send: '112' }]",
    "  target: { trunk: pstn }",
    "groups:",
    "  reception:",
    "    members: ['2001', '2002']",
    "    strategy: serial",
    "    ringSeconds: 15",
    "    overflow: { group: night }",
    "  night:",
    "    members: ['2003']",
    "    strategy: parallel",
    "    overflow: { legacy: stafford }",
    "contexts:",
    "  staff:",
    "    rules:",
    "      - { match: '2000', name: reception, group: reception }",
    "      - { match: _2XXX, user: '{dialled}' }",
    "      - { match: _4XXX, legacy: stafford }",
    "      - { match: _90., strip: 1, context: outside }",
    "      - { match: '*72', user: '2003' }",
    "      - { match: _#X., trunk: police-net }",
    "    otherwise: { context: outside }",
    "  outside:",
    "    rules:",
    "      - { match: _09., reject: { status: 403, reason: Premium rate barred } }",
    "      - { match: _0X., replace: { pattern: '0', with: '+44' }, lcr: true }",
    "  barred:",
    "    otherwise: { reject: { status: 403, reason: Nothing from here } }",
  ),
);

describe("route: targets", () => {
  it("a user, fixed or the extension dialled", () => {
    expect(outcome(dial(plan, "staff", "*72"))).toBe("*72 → user 2003");
    expect(outcome(dial(plan, "staff", "2002"))).toBe("2002 → user 2002");
  });

  it("a hunt group, whole, with its overflow resolved", () => {
    const d = dial(plan, "staff", "2000");
    expect(d.kind === "route" && d.targets).toEqual([
      {
        kind: "group",
        name: "reception",
        members: ["2001", "2002"],
        strategy: "serial",
        ringSeconds: 15,
        overflow: { kind: "group", name: "night", members: ["2003"], strategy: "parallel", ringSeconds: 20, overflow: { kind: "legacy", site: "stafford" } },
      },
    ]);
  });

  it("a site's legacy PBX, a fixed trunk, least-cost routing, a rejection", () => {
    expect(outcome(dial(plan, "staff", "4123"))).toBe("4123 → legacy stafford");
    expect(outcome(dial(plan, "staff", "#1234"))).toBe("#1234 → trunk police-net");
    expect(outcome(dial(plan, "staff", "01785123456"))).toBe("+441785123456 → lcr");
    const d = dial(plan, "staff", "09011234567");
    expect(d).toMatchObject({ kind: "reject", status: 403, reason: "Premium rate barred" });
  });
});

describe("route: order, translations and contexts", () => {
  it("tries rules in the order written: the first match wins", () => {
    const d = dial(plan, "staff", "2000");
    expect(d.trace.filter((t) => t.step === "rule").map((t) => t.text)).toEqual(['staff rule 1 "reception" (line 17) 2000: matches']);
  });

  it("carries a rewritten number into the next context", () => {
    expect(outcome(dial(plan, "staff", "901785123456"))).toBe("+441785123456 → lcr");
  });

  it("falls to otherwise when no rule matches", () => {
    expect(outcome(dial(plan, "staff", "07700900123"))).toBe("+447700900123 → lcr");
    expect(dial(plan, "barred", "2001")).toMatchObject({ kind: "reject", status: 403, reason: "Nothing from here" });
  });

  it("rejects 404 when nothing matches, 484 when the number is cut short", () => {
    expect(dial(plan, "outside", "12345")).toMatchObject({ kind: "reject", status: 404 });
    expect(dial(plan, "outside", "0")).toMatchObject({ kind: "reject", status: 484 });
  });

  it("rejects 403 for a class of service with no context", () => {
    expect(dial(plan, "cleaners", "2001")).toMatchObject({ kind: "reject", status: 403, reason: "Forbidden: class of service cleaners has no dialplan context" });
  });

  it("refuses numbers too long to be real, and a time that is not one", () => {
    expect(dial(plan, "staff", "0".repeat(65))).toMatchObject({ kind: "reject", status: 404 });
    expect(dial(plan, "staff", "2001", Number.NaN)).toMatchObject({ kind: "reject", status: 500 });
    expect(dial(plan, "staff", "2001", 1e20)).toMatchObject({ kind: "reject", status: 500 });
  });

  it("explains every step in the trace", () => {
    expect(formatTrace(dial(plan, "staff", "901785123456"))).toBe(
      [
        "2001 (class staff) dials 901785123456, Mon 2026-11-30 10:00 Europe/London; plan test.yaml version " + plan.version,
        "  staff rule 1 \"reception\" (line 17) 2000: no match",
        "  staff rule 2 (line 18) _2XXX: no match",
        "  staff rule 3 (line 19) _4XXX: no match",
        "  staff rule 4 (line 20) _90.: matches",
        "      strip 1: 901785123456 → 01785123456",
        "  continue in context outside with 01785123456",
        "  outside rule 1 (line 26) _09.: no match",
        "  outside rule 2 (line 27) _0X.: matches",
        "      replace leading 0 with +44: 01785123456 → +441785123456",
        "→ route +441785123456 to least-cost routing",
        "",
      ].join("\n"),
    );
  });
});

describe("route: emergency numbers", () => {
  it.each(["staff", "outside", "barred", "no-such-class"])("999 and 112 route to the emergency target from %s, before any rule", (context) => {
    for (const n of ["999", "112"]) {
      const d = dial(plan, context, n);
      expect(outcome(d)).toBe(`${n} → trunk pstn`);
      expect(d.trace.map((t) => t.step)).toEqual(["call", "emergency", "decision"]);
    }
  });

  it("route the plan's other emergency numbers, sent as the plan says", () => {
    expect(outcome(dial(plan, "barred", "9999"))).toBe("9999 → trunk pstn");
    expect(outcome(dial(plan, "barred", "9112"))).toBe("112 → trunk pstn");
  });

  it("route even when the time is not valid", () => {
    expect(outcome(dial(plan, "staff", "999", Number.NaN))).toBe("999 → trunk pstn");
    expect(outcome(dial(plan, "staff", "112", -1e20))).toBe("112 → trunk pstn");
  });
});

describe("the plan is immutable", () => {
  it("is frozen all the way down, decisions too", () => {
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.contexts.staff!.rules[0]!.pattern.classes)).toBe(true);
    expect(Object.isFrozen(plan.groups.reception!.overflow)).toBe(true);
    const d = dial(plan, "staff", "2001");
    expect(Object.isFrozen(d) && Object.isFrozen(d.trace)).toBe(true);
  });

  it("a call keeps the plan it started with when a new one is swapped in", () => {
    let current = plan;
    const inFlight = current;
    current = planOf(yaml(...EMERGENCY, "contexts:", "  staff:", "    otherwise: { reject: { status: 503, reason: Maintenance } }"));
    expect(outcome(route(inFlight, { from: "2001", context: "staff", dialled: "2002" }, MONDAY_10AM))).toBe("2002 → user 2002");
    expect(outcome(route(current, { from: "2001", context: "staff", dialled: "2002" }, MONDAY_10AM))).toBe("reject 503");
  });
});

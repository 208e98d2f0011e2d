import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/config-error.js";
import { parseDialplan } from "./parse-dialplan.js";
import { EMERGENCY, KNOWN, planOf, problemsOf, yaml } from "./test-support.js";

/** A plan whose only context, staff, has these rules from line 6 on. */
const staffRules = (...rules: string[]) => yaml(...EMERGENCY, "contexts:", "  staff:", "    rules:", ...rules.map((r) => `      - ${r}`));

/** `line: reason` of each problem, for compact expectations. */
const where = (text: string, known = KNOWN) => problemsOf(text, known).map((p) => `${p.line}: ${p.reason}`);

describe("the plan is refused with file, line and reason", () => {
  it("for a setting the schema does not allow", () => {
    const problems = problemsOf(staffRules("{ match: '2001', user: '2001' }", "{ match: '2002', strp: 1, user: '2002' }"));
    expect(problems).toEqual([{ file: "test.yaml", line: 7, path: "contexts.staff.rules.1.strp", reason: "Unexpected property" }]);
  });

  it("for a name that is not lower-case letters, digits, - and _", () => {
    expect(where(yaml(...EMERGENCY, "contexts:", "  Staff: {}"))).toEqual(["4: Unexpected property"]);
  });

  it("for a file that is not YAML", () => {
    expect(() => parseDialplan("contexts:\n  staff: [\n", "test.yaml", KNOWN)).toThrow(expect.objectContaining({ code: "CONFIG_YAML_SYNTAX" }));
  });

  it("with every problem at once, as ConfigError lines an admin can follow", () => {
    try {
      parseDialplan(staffRules("{ match: 4XXX, legacy: stafford }", "{ match: '2001', user: '2999' }"), "dialplans/main.yaml", KNOWN);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message.split("\n").slice(0, 2)).toEqual([
        'dialplans/main.yaml:6: contexts.staff.rules.0.match: pattern "4XXX" is not a number (digits, *, #, +); did you mean "_4XXX"? A pattern starts with _',
        "dialplans/main.yaml:7: contexts.staff.rules.1.user: rule 2 of context staff: no user has extension 2999; add the user or fix the number",
      ]);
    }
  });

  it("for a pattern that does not parse", () => {
    expect(where(staffRules("{ match: '_0[1-3', lcr: true }"))).toEqual(['6: pattern "[" is not closed at character 3 of "_0[1-3"']);
  });

  it("for a rule with no target, or two", () => {
    expect(where(staffRules("{ match: '2001' }", "{ match: '2002', user: '2002', lcr: true }"))).toEqual([
      "6: rule 1 of context staff has no target: give it one of user, group, legacy, trunk, lcr, reject, context",
      "7: rule 2 of context staff has 2 targets (user, lcr): give it exactly one",
    ]);
  });
});

describe("unreachable and overlapping rules", () => {
  it("refuses a rule an earlier rule matches every number of", () => {
    expect(where(staffRules("{ match: _0., lcr: true }", "{ match: '_0[1-3]XXXXXXXXX', trunk: pstn }"))).toEqual([
      "7: rule 2 of context staff (_0[1-3]XXXXXXXXX) is unreachable: rule 1 (line 6, _0.) matches every number it does and is tried first; remove it or move it above",
    ]);
  });

  it("refuses a repeated number", () => {
    expect(where(staffRules("{ match: '2001', user: '2001' }", "{ match: _2XXX, user: '{dialled}' }", "{ match: '2001', user: '2002' }"))).toEqual([
      "8: rule 3 of context staff (2001) is unreachable: rule 1 (line 6, 2001) matches every number it does and is tried first; remove it or move it above",
    ]);
  });

  it("lets a scheduled rule come before the same pattern unscheduled, but not the same schedule twice", () => {
    const head = ["schedules:", "  day: { weekly: { mon: 09:00-17:00 } }"];
    const body = ["contexts:", "  staff:", "    rules:"];
    expect(where(yaml(...EMERGENCY, ...head, ...body, "      - { match: '2000', when: day, user: '2001' }", "      - { match: '2000', user: '2002' }"))).toEqual([]);
    expect(where(yaml(...EMERGENCY, ...head, ...body, "      - { match: '2000', when: day, user: '2001' }", "      - { match: '2000', when: day, user: '2002' }"))).toEqual([
      "9: rule 2 of context staff (2000) is unreachable: rule 1 (line 8, 2000) matches every number it does and is tried first; remove it or move it above",
    ]);
    expect(where(yaml(...EMERGENCY, ...head, ...body, "      - { match: '2000', when: day, unless: day, user: '2001' }"))).toEqual([
      "8: rule 1 of context staff has when and unless day, so it never applies",
    ]);
  });

  it("warns, without refusing, when patterns overlap and the order decides", () => {
    const plan = planOf(staffRules("{ match: _4XXX, legacy: stafford }", "{ match: _X1XX, user: '{dialled}' }"));
    expect(plan.warnings.map((w) => `${w.line}: ${w.reason}`)).toEqual([
      "7: rule 2 of context staff (_X1XX) overlaps rule 1 (line 6, _4XXX): numbers such as 4100 match both and go by the earlier rule",
    ]);
  });

  it("does not warn about a narrower rule before a wider one (the usual idiom)", () => {
    expect(planOf(staffRules("{ match: _0800., lcr: true }", "{ match: _09., reject: { status: 403, reason: Barred } }", "{ match: _0X., trunk: pstn }")).warnings).toEqual([]);
  });
});

describe("unknown names", () => {
  it("refuses unknown users, hunt groups, contexts, sites, trunks and schedules", () => {
    expect(
      where(
        staffRules(
          "{ match: '2001', user: '2999' }",
          "{ match: '2002', group: sales }",
          "{ match: '2003', context: nowhere }",
          "{ match: _4XXX, legacy: stoke }",
          "{ match: _0., trunk: carrier-x }",
          "{ match: '2004', when: lunch, user: '2001' }",
        ),
      ),
    ).toEqual([
      "6: rule 1 of context staff: no user has extension 2999; add the user or fix the number",
      "7: rule 2 of context staff: no hunt group sales under groups",
      "8: rule 3 of context staff: no context nowhere under contexts",
      "9: rule 4 of context staff: unknown site stoke; name a site with a legacy PBX",
      "10: rule 5 of context staff: unknown trunk carrier-x",
      "11: rule 6 of context staff: no schedule lunch under schedules",
    ]);
  });

  it("refuses unknown hunt-group members and exceptions, and overflow that cannot end a call", () => {
    expect(
      where(
        yaml(
          ...EMERGENCY,
          "schedules:",
          "  day: { weekly: { mon: 09:00-17:00 }, except: [holidays] }",
          "groups:",
          "  sales: { members: ['2001', '2998'], overflow: { reject: { status: 480, reason: Busy } } }",
          "  desk: { members: ['2001'], overflow: { user: '{dialled}' } }",
          "contexts:",
          "  staff:",
          "    rules:",
          "      - { match: '2000', when: day, group: sales }",
          "      - { match: '2100', group: desk }",
        ),
      ),
    ).toEqual([
      "4: schedule day: no schedule holidays to except",
      "6: overflow of hunt group sales cannot be reject: use user, group, legacy, trunk, lcr",
      "6: hunt group sales: no user has extension 2998",
      "7: overflow of hunt group desk must name an extension, not {dialled}",
    ]);
  });

  it("warns that names were not checked when no list of them was given", () => {
    const plan = planOf(staffRules("{ match: '2001', user: '2001' }", "{ match: _4XXX, legacy: stafford }"), {});
    expect(plan.warnings.map((w) => `${w.line}: ${w.reason}`)).toEqual([
      "0: extensions were not checked: no list of known extensions was given",
      "0: sites were not checked: no list of known sites was given",
      "0: trunks were not checked: no list of known trunks was given",
    ]);
  });

  it("refuses a class of service with no context, and warns of a context nothing uses", () => {
    const text = yaml(...EMERGENCY, "contexts:", "  staff: {}", "  spare: {}");
    expect(where(text, { ...KNOWN, knownClasses: new Set(["staff", "cleaners"]) })).toEqual([
      "3: class of service cleaners has no context: its users could call only emergency numbers; add contexts.cleaners",
    ]);
    expect(planOf(text, { ...KNOWN, knownClasses: new Set(["staff"]) }).warnings.map((w) => `${w.line}: ${w.reason}`)).toEqual([
      "5: context spare is neither a class of service nor continued into by any rule",
    ]);
  });

  it("warns of hunt groups and schedules nothing uses", () => {
    const plan = planOf(yaml(...EMERGENCY, "schedules:", "  day: { weekly: { mon: 09:00-17:00 } }", "groups:", "  sales: { members: ['2001'] }", "contexts:", "  staff: {}"));
    expect(plan.warnings.map((w) => `${w.line}: ${w.reason}`)).toEqual([
      "4: schedule day is not used by any rule",
      "6: hunt group sales is not used by any rule",
    ]);
  });
});

describe("loops", () => {
  it("refuses contexts that lead back to themselves, through rules or otherwise", () => {
    expect(
      where(
        yaml(
          ...EMERGENCY,
          "contexts:",
          "  staff:",
          "    rules:",
          "      - { match: _9., strip: 1, context: outside }",
          "  outside:",
          "    otherwise: { context: staff }",
          "  self:",
          "    otherwise: { context: self }",
        ),
      ).filter((p) => p.includes("loop")),
    ).toEqual(["6: context loop: outside → staff → outside; a context may not lead back to itself", "10: context loop: self → self; a context may not lead back to itself"]);
  });

  it("refuses hunt groups that overflow round in a circle", () => {
    expect(
      where(
        yaml(
          ...EMERGENCY,
          "groups:",
          "  a: { members: ['2001'], overflow: { group: b } }",
          "  b: { members: ['2002'], overflow: { group: a } }",
          "contexts:",
          "  staff:",
          "    rules:",
          "      - { match: '2000', group: a }",
        ),
      ),
    ).toEqual(["5: hunt group overflow loop: a → b → a"]);
  });

  it("refuses schedules that except each other", () => {
    expect(
      where(
        yaml(
          ...EMERGENCY,
          "schedules:",
          "  a: { weekly: { mon: 09:00-17:00 }, except: [b] }",
          "  b: { weekly: { mon: 09:00-17:00 }, except: [a] }",
          "contexts:",
          "  staff:",
          "    rules:",
          "      - { match: '2000', when: a, user: '2001' }",
        ),
      ),
    ).toEqual(["5: schedule exception loop: a → b → a"]);
  });
});

describe("emergency", () => {
  it("refuses a plan with no emergency target", () => {
    expect(where(yaml("contexts:", "  staff: {}"))).toEqual([
      "1: the plan has no emergency target: add `emergency: { target: { trunk: pstn } }` (or a legacy site) so that 999 and 112 always route",
    ]);
  });

  it("refuses an emergency target that is not a trunk or a legacy site, or is unknown", () => {
    expect(where(yaml("emergency:", "  target: { lcr: true }", "contexts:", "  staff: {}"))).toEqual([
      "2: the emergency target cannot be lcr: use trunk, legacy",
    ]);
    expect(where(yaml("emergency:", "  target: { trunk: bt }", "contexts:", "  staff: {}"))).toEqual(["2: the emergency target: unknown trunk bt"]);
    expect(planOf(yaml("emergency:", "  target: { legacy: stafford }", "contexts:", "  staff: {}")).emergency.target).toEqual({ kind: "legacy", site: "stafford" });
  });

  it("refuses a rule that would match 999 or 112 and send it elsewhere, in any context", () => {
    expect(
      where(
        yaml(
          ...EMERGENCY,
          "contexts:",
          "  staff:",
          "    rules:",
          "      - { match: _9., strip: 1, context: outside }",
          "  outside:",
          "    rules:",
          "      - { match: _1XX, trunk: police-net }",
          "      - { match: _X!, reject: { status: 403, reason: Barred } }",
        ),
      ),
    ).toEqual([
      "6: rule 1 of context staff (_9.) matches emergency number 999 but goes to continue in context outside; emergency numbers always go to trunk pstn, so narrow the pattern to leave 999 out, or give the rule the emergency target",
      "9: rule 1 of context outside (_1XX) matches emergency number 112 but goes to trunk police-net; emergency numbers always go to trunk pstn, so narrow the pattern to leave 112 out, or give the rule the emergency target",
      "10: rule 2 of context outside (_X!) matches emergency number 999 but goes to reject 403 Barred; emergency numbers always go to trunk pstn, so narrow the pattern to leave 999 out, or give the rule the emergency target",
    ]);
  });

  it("counts the plan's own emergency numbers too", () => {
    expect(where(yaml("emergency:", "  numbers: ['9999']", "  target: { trunk: pstn }", "contexts:", "  staff:", "    rules:", "      - { match: _99XX, lcr: true }"))).toEqual([
      "7: rule 1 of context staff (_99XX) matches emergency number 9999 but goes to least-cost routing; emergency numbers always go to trunk pstn, so narrow the pattern to leave 9999 out, or give the rule the emergency target",
    ]);
  });

  it("allows a rule that sends such numbers to the emergency target itself", () => {
    expect(where(staffRules("{ match: _9., strip: 1, trunk: pstn }"))).toEqual([]);
  });
});

describe("schedules", () => {
  it("refuses hours that end before they start, dates not in the calendar, unknown zones and empty schedules", () => {
    expect(
      where(
        yaml(
          ...EMERGENCY,
          "timezone: Europe/Stafford",
          "schedules:",
          "  night: { weekly: { mon: 22:00-06:00 } }",
          "  holidays: { dates: [2026-02-30, { from: 2026-12-31, to: 2026-12-24 }] }",
          "  nothing: { timezone: Mars/Olympus }",
          "contexts:",
          "  staff:",
          "    rules:",
          "      - { match: '2000', when: night, unless: holidays, user: '2001' }",
          "      - { match: '2001', when: nothing, user: '2001' }",
        ),
      ),
    ).toEqual([
      "3: unknown time zone \"Europe/Stafford\": use an IANA name such as Europe/London",
      "5: hours must end after they start; split hours past midnight across two days (e.g. mon: 22:00-24:00, tue: 00:00-06:00)",
      "6: 2026-02-30 is not a date in the calendar (YYYY-MM-DD)",
      "6: the range ends (2026-12-24) before it starts (2026-12-31)",
      "7: unknown time zone \"Mars/Olympus\": use an IANA name such as Europe/London",
      "7: schedule nothing has neither weekly hours nor dates, so it is never in force",
    ]);
  });
});

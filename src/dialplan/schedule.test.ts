import { describe, expect, it } from "vitest";
import { scheduleVerdict } from "./schedule.js";
import { dial, EMERGENCY, outcome, planOf, yaml } from "./test-support.js";

const utc = (iso: string) => Date.parse(`${iso}Z`);

const plan = planOf(
  yaml(
    ...EMERGENCY,
    "schedules:",
    "  bank-holidays:",
    "    dates:",
    "      - { date: 2026-12-25, name: Christmas Day }",
    "      - 2026-12-28",
    "  christmas-closure:",
    "    dates:",
    "      - { from: 2026-12-24, to: 2027-01-01, name: Christmas closure }",
    "  office-hours:",
    "    weekly:",
    "      mon: 08:30-17:00",
    "      tue: 08:30-17:00",
    "      wed: [08:30-12:30, 13:30-17:00]",
    "      thu: 08:30-17:00",
    "      fri: 08:30-16:30",
    "    except: [bank-holidays]",
    "  new-york-desk:",
    "    timezone: America/New_York",
    "    weekly: { mon: 09:00-17:00 }",
    "  always:",
    "    weekly: { sun: 00:00-24:00 }",
    "contexts:",
    "  staff:",
    "    rules:",
    "      - { match: '2000', when: office-hours, unless: christmas-closure, user: '2001' }",
    "      - { match: '2000', unless: christmas-closure, user: '2002' }",
    "      - { match: '2000', reject: { status: 480, reason: Closed for Christmas } }",
    "      - { match: '2100', when: new-york-desk, trunk: police-net }",
    "      - { match: '2200', when: always, lcr: true }",
  ),
);

const verdict = (name: string, iso: string) => scheduleVerdict(plan.schedules, name, utc(iso));

describe("weekly hours in Europe/London", () => {
  it("start inclusive, end exclusive, in GMT", () => {
    expect(verdict("office-hours", "2026-03-27T08:29:00").inForce).toBe(false);
    expect(verdict("office-hours", "2026-03-27T08:30:00").inForce).toBe(true);
    expect(verdict("office-hours", "2026-03-27T16:29:00").inForce).toBe(true);
    expect(verdict("office-hours", "2026-03-27T16:30:00").inForce).toBe(false);
  });

  it("follow the clocks across the spring change (29 March 2026)", () => {
    // Monday after the change: 08:30 BST is 07:30 UTC.
    expect(verdict("office-hours", "2026-03-30T07:29:00").inForce).toBe(false);
    expect(verdict("office-hours", "2026-03-30T07:30:00").inForce).toBe(true);
    expect(verdict("office-hours", "2026-03-30T15:59:00").inForce).toBe(true);
    expect(verdict("office-hours", "2026-03-30T16:00:00")).toEqual({
      inForce: false,
      why: "Mon 2026-03-30 17:00 Europe/London: outside Mon 08:30-17:00",
    });
  });

  it("follow the clocks across the autumn change (25 October 2026)", () => {
    expect(verdict("office-hours", "2026-10-23T07:30:00").inForce).toBe(true);
    expect(verdict("office-hours", "2026-10-26T07:30:00").inForce).toBe(false);
    expect(verdict("office-hours", "2026-10-26T08:30:00").inForce).toBe(true);
  });

  it("allow several ranges a day, and none at weekends", () => {
    expect(verdict("office-hours", "2026-12-02T12:45:00").inForce).toBe(false);
    expect(verdict("office-hours", "2026-12-02T13:45:00").inForce).toBe(true);
    expect(verdict("office-hours", "2026-11-28T10:00:00")).toEqual({ inForce: false, why: "Sat 2026-11-28 10:00 Europe/London: no hours on Sat" });
  });

  it("reach 24:00", () => {
    expect(verdict("always", "2026-11-29T23:59:00").inForce).toBe(true);
    expect(verdict("always", "2026-11-30T00:00:00").inForce).toBe(false);
  });

  it("use the schedule's own time zone", () => {
    expect(verdict("new-york-desk", "2026-11-30T13:59:00").inForce).toBe(false);
    expect(verdict("new-york-desk", "2026-11-30T14:00:00")).toEqual({
      inForce: true,
      why: "Mon 2026-11-30 09:00 America/New_York: within Mon 09:00-17:00",
    });
  });
});

describe("dated schedules: bank holidays and closures", () => {
  it("are in force all day on a listed date, by name", () => {
    expect(verdict("bank-holidays", "2026-12-25T00:00:00")).toEqual({
      inForce: true,
      why: "Fri 2026-12-25 00:00 Europe/London: listed date 2026-12-25 (Christmas Day)",
    });
    expect(verdict("bank-holidays", "2026-12-28T23:59:00").inForce).toBe(true);
    expect(verdict("bank-holidays", "2026-12-29T00:00:00").inForce).toBe(false);
  });

  it("cover a range of dates inclusively", () => {
    expect(verdict("christmas-closure", "2026-12-23T23:59:00").inForce).toBe(false);
    expect(verdict("christmas-closure", "2026-12-24T00:00:00").inForce).toBe(true);
    expect(verdict("christmas-closure", "2027-01-01T23:59:00").inForce).toBe(true);
    expect(verdict("christmas-closure", "2027-01-02T00:00:00").inForce).toBe(false);
  });

  it("take office hours out of force through except", () => {
    expect(verdict("office-hours", "2026-12-28T10:00:00")).toEqual({
      inForce: false,
      why: "Mon 2026-12-28 10:00 Europe/London: bank-holidays is in force, listed date 2026-12-28",
    });
  });
});

describe("when and unless on rules", () => {
  it("apply a rule only while its schedule is (when) or is not (unless) in force", () => {
    expect(outcome(dial(plan, "staff", "2000", utc("2026-11-30T10:00:00")))).toBe("2000 → user 2001");
    expect(outcome(dial(plan, "staff", "2000", utc("2026-11-30T18:00:00")))).toBe("2000 → user 2002");
    expect(outcome(dial(plan, "staff", "2000", utc("2026-12-24T10:00:00")))).toBe("reject 480");
    expect(outcome(dial(plan, "staff", "2100", utc("2026-11-30T15:00:00")))).toBe("2100 → trunk police-net");
    expect(outcome(dial(plan, "staff", "2100", utc("2026-11-30T10:00:00")))).toBe("reject 404");
    expect(outcome(dial(plan, "staff", "2200", utc("2026-11-29T10:00:00")))).toBe("2200 → lcr");
  });

  it("trace each schedule's verdict and why", () => {
    const d = dial(plan, "staff", "2000", utc("2026-12-24T10:00:00"));
    expect(d.trace.filter((t) => t.step === "schedule").map((t) => t.text)).toEqual([
      "when office-hours: in force (Thu 2026-12-24 10:00 Europe/London: within Thu 08:30-17:00)",
      "unless christmas-closure: in force (Thu 2026-12-24 10:00 Europe/London: listed date 2026-12-24 to 2027-01-01 (Christmas closure))",
      "unless christmas-closure: in force (Thu 2026-12-24 10:00 Europe/London: listed date 2026-12-24 to 2027-01-01 (Christmas closure))",
    ]);
  });
});

/** dialplans/main.yaml, the sample admins start from: it loads clean and routes as its comments say. */
import { describe, expect, it } from "vitest";
import text from "../../dialplans/main.yaml?raw";
import { formatTrace } from "./format-trace.js";
import { parseDialplan } from "./parse-dialplan.js";
import { dial, outcome, SAMPLE_KNOWN } from "./test-support.js";

const plan = parseDialplan(text, "dialplans/main.yaml", SAMPLE_KNOWN);
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe("dialplans/main.yaml", () => {
  it("loads without problems or warnings", () => {
    expect(plan.warnings).toEqual([]);
  });

  it.each([
    ["staff", "01785123456", "+441785123456 → lcr"],
    ["staff", "901785123456", "+441785123456 → lcr"],
    ["staff", "07700900123", "+447700900123 → lcr"],
    ["staff", "08001234567", "+448001234567 → lcr"],
    ["staff", "09011234567", "reject 403"],
    ["staff", "118118", "reject 403"],
    ["staff", "0049301234567", "reject 403"],
    ["staff", "101", "101 → trunk pstn"],
    ["staff", "2002", "2002 → user 2002"],
    ["staff", "204711", "204711 → user 204711"],
    ["staff", "4321", "4321 → legacy stafford"],
    ["staff", "0178", "reject 484"],
    ["staff", "5555", "reject 404"],
    ["international", "0049301234567", "+49301234567 → lcr"],
    ["international", "90049301234567", "+49301234567 → lcr"],
    ["international", "01785123456", "+441785123456 → lcr"],
    ["restricted", "01785123456", "reject 403"],
    ["restricted", "901785123456", "reject 403"],
    ["restricted", "2001", "2001 → user 2001"],
    ["emergency-only", "2001", "reject 403"],
    ["inbound-from-legacy", "01785276002", "2002 → user 2002"],
    ["inbound-from-legacy", "4321", "reject 404"],
  ])("%s dialling %s: %s", (context, dialled, expected) => {
    expect(outcome(dial(plan, context, dialled))).toBe(expected);
  });

  it("sends reception calls to the hunt group in office hours and says it is closed outside them", () => {
    expect(outcome(dial(plan, "staff", "2000", utc("2026-11-27T16:29:00")))).toBe("2000 → group reception");
    expect(outcome(dial(plan, "staff", "2000", utc("2026-11-27T16:30:00")))).toBe("reject 480");
    expect(outcome(dial(plan, "inbound-from-legacy", "01785276000", utc("2026-12-28T10:00:00")))).toBe("reject 480");
    expect(outcome(dial(plan, "inbound-from-legacy", "01785276000", utc("2026-12-29T10:00:00")))).toBe("2000 → group reception");
  });

  it("explains a bank-holiday call to reception", () => {
    const trace = formatTrace(dial(plan, "restricted", "2000", utc("2026-12-25T10:00:00")));
    expect(trace).toContain("when office-hours: not in force (Fri 2026-12-25 10:00 Europe/London: bank-holidays is in force, listed date 2026-12-25 (Christmas Day))");
    expect(trace).toMatch(/→ reject 480 Reception is closed/);
  });

  it("routes 9 999 and 9 112, the Meridian habit, as 999 and 112", () => {
    expect(outcome(dial(plan, "staff", "9999"))).toBe("999 → trunk pstn");
    expect(outcome(dial(plan, "emergency-only", "9112"))).toBe("112 → trunk pstn");
  });
});

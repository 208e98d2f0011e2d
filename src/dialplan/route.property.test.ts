/** Properties of `route` over random input: it never throws, always explains, and emergency always routes. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import text from "../../dialplans/main.yaml?raw";
import { parseDialplan } from "./parse-dialplan.js";
import { route } from "./route.js";
import { SAMPLE_KNOWN } from "./test-support.js";

const plan = parseDialplan(text, "dialplans/main.yaml", SAMPLE_KNOWN);
const contexts = [...Object.keys(plan.contexts), "no-such-class", "constructor", ""];
const anyContext = fc.constantFrom(...contexts);
/** 2020 to 2035: both clock changes of every year. */
const anyTime = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 11, 31) });
/** Any number at all, for what must hold even when the caller passes nonsense. */
const anyNumber = fc.oneof(anyTime, fc.double());
const dialled = fc.oneof(fc.string({ unit: "grapheme", maxLength: 80 }), fc.stringMatching(/^[0-9*#+]{0,20}$/), fc.constantFrom("0", "9", "90", "00", "2000", "4123"));

describe("route, for any dialled string", () => {
  it("never throws and always returns a decision with a trace that ends in it", () => {
    fc.assert(
      fc.property(anyContext, dialled, anyNumber, fc.string(), (context, d, at, from) => {
        const decision = route(plan, { from, context, dialled: d }, at);
        expect(decision.trace.length).toBeGreaterThan(1);
        expect(decision.trace.at(-1)!.step).toBe("decision");
        if (decision.kind === "route") expect(decision.targets.length).toBe(1);
        else expect(decision.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 2000 },
    );
  });

  it("routes 999 and 112 to the emergency target from every context of the sample plan, at any time (even a nonsense one)", () => {
    fc.assert(
      fc.property(anyContext, fc.constantFrom("999", "112"), anyNumber, (context, number, at) => {
        const decision = route(plan, { from: "2003", context, dialled: number }, at);
        expect(decision).toMatchObject({ kind: "route", dialled: number, targets: [{ kind: "trunk", name: "pstn" }] });
      }),
    );
  });
});

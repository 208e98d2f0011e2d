import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchPattern, parsePattern, type DigitPattern } from "./digit-pattern.js";
import { commonExample, covers } from "./pattern-relations.js";

function p(source: string): DigitPattern {
  const r = parsePattern(source);
  if ("error" in r) throw new Error(r.error);
  return r.pattern;
}

describe("covers (a later rule is unreachable)", () => {
  it.each([
    ["_X.", "_0[1-3]XXXXXXXXX", true],
    ["_X!", "_X.", true],
    ["_X.", "_X!", false],
    ["_4XXX", "4123", true],
    ["_4XXX", "_4XXX", true],
    ["_4XXX", "_4XX", false],
    ["_4XXX", "_4XXX.", false],
    ["_NXXX", "_ZXXX", false],
    ["_ZXXX", "_NXXX", true],
    ["_0[1-3]X", "_02X", true],
    ["_0[1-3]X", "_0[2-4]X", false],
    ["_!", "_!", true],
    ["_9.", "_9!", false],
    ["_9!", "9", true],
    ["_.", "*72", true],
  ])("%s covers %s: %s", (outer, inner, expected) => {
    expect(covers(p(outer), p(inner))).toBe(expected);
  });
});

describe("commonExample (an overlap)", () => {
  it.each([
    ["_4XXX", "_X1XX", "4100"],
    ["_0[1-3]X.", "_02!", "0200"],
    ["_4XXX", "_5XXX", undefined],
    ["_4XXX", "_4XX", undefined],
    ["_9.", "_8.", undefined],
    ["_XX", "_X.", "00"],
    ["_X.", "_!", "00"],
  ])("%s and %s share %s", (a, b, example) => {
    expect(commonExample(p(a), p(b))).toBe(example);
  });
});

describe("relations agree with matching", () => {
  const patterns = fc.stringMatching(/^_(?:[0-9XZN*#]|\[[0-9]-[0-9]\]){0,4}[.!]?$/).filter((s) => !("error" in parsePattern(s)));
  const numbers = fc.stringMatching(/^[0-9*#]{0,6}$/);

  it("when a covers b, a matches every number b does", () => {
    fc.assert(
      fc.property(patterns, patterns, numbers, (a, b, n) => {
        if (covers(p(a), p(b)) && matchPattern(p(b), n) === "match") expect(matchPattern(p(a), n)).toBe("match");
      }),
    );
  });

  it("a common example is matched by both, and a number both match means there is one", () => {
    fc.assert(
      fc.property(patterns, patterns, numbers, (a, b, n) => {
        const example = commonExample(p(a), p(b));
        if (example !== undefined) {
          expect(matchPattern(p(a), example)).toBe("match");
          expect(matchPattern(p(b), example)).toBe("match");
        }
        if (matchPattern(p(a), n) === "match" && matchPattern(p(b), n) === "match") expect(example).toBeDefined();
      }),
    );
  });
});

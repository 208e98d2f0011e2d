import { describe, expect, it } from "vitest";
import { matchPattern, parsePattern, type DigitPattern } from "./digit-pattern.js";

function p(source: string): DigitPattern {
  const r = parsePattern(source);
  if ("error" in r) throw new Error(r.error);
  return r.pattern;
}

const matches = (source: string, dialled: string) => matchPattern(p(source), dialled);

describe("Asterisk-style digit patterns", () => {
  it("without a leading _ matches exactly that number", () => {
    expect(matches("2001", "2001")).toBe("match");
    expect(matches("2001", "20011")).toBe("none");
    expect(matches("2001", "200")).toBe("prefix");
    expect(matches("2001", "2002")).toBe("none");
  });

  it("X is any digit, Z 1-9, N 2-9", () => {
    for (const d of "0123456789") expect(matches("_X", d)).toBe("match");
    expect(matches("_Z", "0")).toBe("none");
    expect(matches("_Z", "1")).toBe("match");
    expect(matches("_N", "1")).toBe("none");
    expect(matches("_N", "2")).toBe("match");
    expect(matches("_N", "9")).toBe("match");
    expect(matches("_X", "*")).toBe("none");
  });

  it("accepts x, z and n in lower case", () => {
    expect(matches("_4xxx", "4123")).toBe("match");
    expect(matches("_z", "0")).toBe("none");
    expect(matches("_n", "2")).toBe("match");
  });

  it("[ranges] and [sets] match one character from them, commas optional", () => {
    expect(matches("_0[1-3]", "02")).toBe("match");
    expect(matches("_0[1-3]", "04")).toBe("none");
    expect(matches("_[1-5,7]", "7")).toBe("match");
    expect(matches("_[1-5,7]", "6")).toBe("none");
    expect(matches("_[157]", "5")).toBe("match");
    expect(matches("_[157]", "2")).toBe("none");
    expect(matches("_[*#]X", "#1")).toBe("match");
  });

  it(". matches one or more further characters of any kind", () => {
    expect(matches("_9.", "9")).toBe("prefix");
    expect(matches("_9.", "90")).toBe("match");
    expect(matches("_9.", "9012345678901")).toBe("match");
    expect(matches("_9.", "9abc")).toBe("match");
    expect(matches("_9.", "8")).toBe("none");
  });

  it("! matches zero or more further characters", () => {
    expect(matches("_9!", "9")).toBe("match");
    expect(matches("_9!", "9123")).toBe("match");
    expect(matches("_9!", "")).toBe("prefix");
    expect(matches("_!", "")).toBe("match");
    expect(matches("_!", "anything")).toBe("match");
  });

  it("digits, * # and + stand for themselves, in patterns and numbers", () => {
    expect(matches("*72", "*72")).toBe("match");
    expect(matches("_*72X.", "*7212")).toBe("match");
    expect(matches("_#X", "#5")).toBe("match");
    expect(matches("_#X", "*5")).toBe("none");
    expect(matches("_+44X.", "+441785")).toBe("match");
    expect(matches("+441785276001", "+441785276001")).toBe("match");
  });

  it("ignores - for readability", () => {
    expect(matches("_01785-XXXXXX", "01785123456")).toBe("match");
    expect(matches("_01785-XXXXXX", "01785-123456")).toBe("none");
  });

  it("says prefix when the number is the start of one the pattern matches (484)", () => {
    expect(matches("_0[1-3]XXXXXXXXX", "0178")).toBe("prefix");
    expect(matches("_0[1-3]XXXXXXXXX", "0778")).toBe("none");
    expect(matches("_4XXX", "")).toBe("prefix");
  });

  it("treats characters outside 0-9 * # + as matching only . and !", () => {
    expect(matches("_X", "٣")).toBe("none");
    expect(matches("_X.", "1٣")).toBe("match");
  });

  it.each([
    ["4XXX", /did you mean "_4XXX"/],
    ["20 01", /not a number/],
    ["_0[1-3", /"\[" is not closed/],
    ["_[5-1]", /runs backwards/],
    ["_[1-]", /has no end/],
    ["_[]", /empty \[set\]/],
    ["_[a]", /cannot be in a \[set\]/],
    ["_9.1", /must end a pattern/],
    ["_9!X", /must end a pattern/],
    ["_9A", /unexpected "A"/],
    ["_", /empty pattern/],
    ["_--", /empty pattern/],
  ])("refuses %s, saying what is wrong", (source, reason) => {
    const r = parsePattern(source);
    expect("error" in r && r.error).toMatch(reason);
  });
});

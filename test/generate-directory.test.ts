import { isValidPhoneNumber } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import { generateUsers } from "../scripts/generate-directory.js";

describe("the generated directory (scripts/generate-directory.ts)", () => {
  it("gives 20,000 users distinct extensions and valid, distinct E.164 DDIs (benchmarks go past 10,000)", () => {
    const users = generateUsers(20_000);
    expect(new Set(users.map((u) => u[0])).size).toBe(20_000);
    const ddis = users.map((u) => u[1]!).filter((d) => d !== "");
    expect(ddis.length).toBeGreaterThan(17_000);
    expect(new Set(ddis).size).toBe(ddis.length);
    expect(ddis.filter((d) => !isValidPhoneNumber(d))).toEqual([]);
  });

  it("refuses a count it cannot number", () => {
    expect(() => generateUsers(800_001)).toThrow(RangeError);
  });
});

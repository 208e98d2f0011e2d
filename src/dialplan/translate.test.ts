import { describe, expect, it } from "vitest";
import { translate } from "./translate.js";

describe("translations", () => {
  it("strip removes leading characters", () => {
    expect(translate({ strip: 1 }, "901785123456")).toEqual({ dialled: "01785123456", steps: ["strip 1: 901785123456 → 01785123456"] });
  });

  it("strip past the end leaves nothing, and says so", () => {
    expect(translate({ strip: 5 }, "123")).toEqual({ dialled: "", steps: ["strip 5: 123 → (nothing)"] });
  });

  it("replace swaps a leading string, and only a leading one", () => {
    expect(translate({ replace: { pattern: "0", with: "+44" } }, "01785123456").dialled).toBe("+441785123456");
    expect(translate({ replace: { pattern: "00", with: "+" } }, "004930123").dialled).toBe("+4930123");
    expect(translate({ replace: { pattern: "+44", with: "0" } }, "+441785123456").dialled).toBe("01785123456");
    expect(translate({ replace: { pattern: "1785", with: "" } }, "01785123456")).toEqual({
      dialled: "01785123456",
      steps: ["replace leading 1785: 01785123456 does not start with it, unchanged"],
    });
  });

  it("prepend puts a string in front", () => {
    expect(translate({ prepend: "2" }, "001")).toEqual({ dialled: "2001", steps: ["prepend 2: 001 → 2001"] });
  });

  it("apply strip, then replace, then prepend", () => {
    const t = translate({ prepend: "9", replace: { pattern: "0", with: "+44" }, strip: 1 }, "901785123456");
    expect(t.dialled).toBe("9+441785123456");
    expect(t.steps.map((s) => s.split(":")[0])).toEqual(["strip 1", "replace leading 0 with +44", "prepend 9"]);
  });

  it("does nothing without rewrites", () => {
    expect(translate({}, "2001")).toEqual({ dialled: "2001", steps: [] });
  });
});

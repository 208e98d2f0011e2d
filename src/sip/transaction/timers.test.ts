import { describe, expect, it } from "vitest";
import { DEFAULT_TIMERS, timerA, timerB, timerD, timerE, timerF, timerG, timerH, timerI, timerJ, timerK, timerL, timerM } from "./timers.js";

const c = DEFAULT_TIMERS;
const series = (f: (n: number) => number | undefined, count: number): Array<number | undefined> =>
  Array.from({ length: count }, (_, n) => f(n));

describe("RFC 3261 Appendix A timers", () => {
  it("MUST default T1, T2 and T4 to 500 ms, 4 s and 5 s", () => {
    expect(c).toEqual({ t1: 500, t2: 4000, t4: 5000 });
  });

  it("Timer A MUST start at T1 and double with no cap on UDP", () => {
    expect(series((n) => timerA(c, false, n), 7)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 32000]);
  });

  it("Timers A, E and G MUST NOT be set on reliable transports", () => {
    expect(timerA(c, true, 0)).toBeUndefined();
    expect(timerE(c, true, 0, false)).toBeUndefined();
    expect(timerG(c, true, 0)).toBeUndefined();
  });

  it("Timers B, F, H, L and M MUST be 64*T1 on every transport", () => {
    for (const f of [timerB, timerF, timerH, timerL, timerM]) expect(f(c)).toBe(32_000);
  });

  it("Timer D SHOULD be at least 32 s on UDP and MUST be 0 on reliable transports", () => {
    expect(timerD(c, false)).toBe(32_000);
    expect(timerD({ ...c, t1: 100 }, false)).toBe(32_000);
    expect(timerD(c, true)).toBe(0);
  });

  it("Timer E MUST double from T1 up to T2 while Trying, and be T2 while Proceeding", () => {
    expect(series((n) => timerE(c, false, n, false), 6)).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect(timerE(c, false, 0, true)).toBe(4000);
  });

  it("Timer G MUST double from T1 up to T2 on UDP", () => {
    expect(series((n) => timerG(c, false, n), 6)).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it("Timers I and K MUST be T4 on UDP and 0 on reliable transports; J MUST be 64*T1 on UDP and 0 on reliable", () => {
    expect([timerI(c, false), timerK(c, false), timerJ(c, false)]).toEqual([5000, 5000, 32_000]);
    expect([timerI(c, true), timerK(c, true), timerJ(c, true)]).toEqual([0, 0, 0]);
  });

  it("every timer MUST follow a changed T1, T2 and T4", () => {
    const fast = { t1: 100, t2: 400, t4: 1000 };
    expect([timerA(fast, false, 1), timerB(fast), timerE(fast, false, 5, false), timerI(fast, false), timerJ(fast, false)]).toEqual([
      200, 6400, 400, 1000, 6400,
    ]);
  });
});

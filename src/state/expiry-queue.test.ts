import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExpiryQueue } from "./expiry-queue.js";

describe("ExpiryQueue", () => {
  it("pops keys in time order, only once due, up to a limit", () => {
    const q = new ExpiryQueue<string>();
    q.schedule("c", 30);
    q.schedule("a", 10);
    q.schedule("b", 20);
    expect(q.popDue(9)).toEqual([]);
    expect(q.popDue(30, 2)).toEqual(["a", "b"]);
    expect(q.popDue(30)).toEqual(["c"]);
    expect(q.size).toBe(0);
  });

  it("keeps the earlier of two schedules, and forgets an unscheduled key", () => {
    const q = new ExpiryQueue<string>();
    q.schedule("a", 20);
    q.schedule("a", 50); // later: the owner re-checks at 20 and reschedules
    q.schedule("b", 40);
    q.schedule("b", 10); // earlier: replaces
    q.schedule("c", 5);
    q.unschedule("c");
    expect(q.popDue(100)).toEqual(["b", "a"]);
  });

  it("agrees with a sort for any schedule (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1000 }))), fc.integer({ min: 0, max: 1000 }), (ops, now) => {
        const q = new ExpiryQueue<number>();
        const expected = new Map<number, number>();
        for (const [key, at] of ops) {
          q.schedule(key, at);
          expected.set(key, Math.min(at, expected.get(key) ?? Infinity));
        }
        const due = [...expected].filter(([, at]) => at <= now).sort((x, y) => x[1] - y[1]);
        const popped = q.popDue(now);
        expect(popped.map((k) => expected.get(k))).toEqual(due.map(([, at]) => at));
        expect(new Set(popped)).toEqual(new Set(due.map(([k]) => k)));
      }),
    );
  });
});

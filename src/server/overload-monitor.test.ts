import { describe, expect, it } from "vitest";
import { CALM, nextOverloadState, type OverloadSample, type OverloadState } from "./overload-monitor.js";

const LIMITS = { maxLagMs: 300, maxRetransmissionShare: 0.2, minRetransmissionsPerSecond: 50 };
const INTERVAL = 100;

const feed = (samples: readonly Partial<OverloadSample>[]): OverloadState[] => {
  const states: OverloadState[] = [];
  let state = CALM;
  for (const s of samples) states.push((state = nextOverloadState(state, { lagMs: 0, newRequests: 0, retransmissions: 0, ...s }, LIMITS, INTERVAL)));
  return states;
};
const repeat = <T>(n: number, item: T): T[] => Array(n).fill(item) as T[];

describe("overload, as protection reads it (RFC 3261 §21.5.4)", () => {
  it("does not shed for one long pause (a GC) on an idle loop", () => {
    expect(feed([{}, {}, { lagMs: 600 }, {}, {}]).some((s) => s.shedding)).toBe(false);
  });

  it("sheds once the loop stays far behind, and only stops below half the limit (no flapping at the edge)", () => {
    const states = feed([...repeat(4, { lagMs: 500 }), ...repeat(3, { lagMs: 200 }), { lagMs: 100 }, { lagMs: 50 }, {}, {}]);
    const first = states.findIndex((s) => s.shedding);
    expect(first).toBeGreaterThan(0);
    // 200 ms a tick is under the 300 ms limit, but above half of it: still shedding.
    const stopped = states.findIndex((s, i) => i > first && !s.shedding);
    expect(stopped).toBeGreaterThan(first + 1);
    expect(states[stopped]!.lagMs).toBeLessThan(150);
    expect(states.at(-1)!.shedding).toBe(false);
  });

  it("sheds when phones retransmit a large share of what they send (answers come late: a UDP flood), with no lag at all", () => {
    // 5,000 new requests a second, and 2,500 retransmissions a second: a third of all.
    const states = feed(repeat(10, { newRequests: 500, retransmissions: 250 }));
    expect(states.at(-1)!.shedding).toBe(true);
    expect(states.at(-1)!.lagMs).toBe(0);
  });

  it("does not shed for a lossy phone or two: few retransmissions, however large their share", () => {
    // 20 requests a second, half of them retransmissions: under 50 retransmissions a second.
    expect(feed(repeat(20, { newRequests: 1, retransmissions: 1 })).some((s) => s.shedding)).toBe(false);
  });

  it("does not shed for a normal share of retransmissions at a high rate", () => {
    // 10,000 new a second, 500 retransmitted (5%).
    expect(feed(repeat(20, { newRequests: 1000, retransmissions: 50 })).some((s) => s.shedding)).toBe(false);
  });

  it("reads a timer that fired early as no lag", () => {
    expect(feed([{ lagMs: -5 }])[0]!.lagMs).toBe(0);
  });
});

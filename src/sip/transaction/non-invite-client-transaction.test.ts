import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import type { SipResponse } from "../message/index.js";
import type { TransportName } from "../transport/endpoint.js";
import { NonInviteClientTransaction } from "./non-invite-client-transaction.js";
import { endpoint, RecordingSender, request, response } from "./testing.js";
import { DEFAULT_TIMERS } from "./timers.js";

let sender: RecordingSender;
let received: SipResponse[];
let terminated: Mock<() => void>;

const options = request({ method: "OPTIONS", branch: "z9hG4bKopt1" });

function start(transport: TransportName = "UDP"): NonInviteClientTransaction {
  return new NonInviteClientTransaction(options, endpoint(transport), { sender, timers: DEFAULT_TIMERS, onTerminated: terminated }, (r) =>
    received.push(r),
  );
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  sender = new RecordingSender();
  received = [];
  terminated = vi.fn<() => void>();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("non-INVITE client transaction (RFC 3261 §17.1.2)", () => {
  it("MUST retransmit at 500, 1500, 3500, 7500 ms, then every T2, and time out with a 408 after 64*T1 on UDP", async () => {
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(31_999);
    expect(sender.requestTimes("OPTIONS")).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(received).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(received.map((r) => r.status)).toEqual([408]);
    expect(tx.state).toBe("terminated");
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("MUST NOT retransmit over TCP, and still times out after 64*T1", async () => {
    start("TCP");
    await vi.advanceTimersByTimeAsync(32_000);
    expect(sender.requestTimes("OPTIONS")).toEqual([0]);
    expect(received.map((r) => r.status)).toEqual([408]);
  });

  it("MUST retransmit every T2 once Proceeding, and time out after 64*T1 all the same", async () => {
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(600);
    tx.receiveResponse(response(options, 100));
    expect(tx.state).toBe("proceeding");
    await vi.advanceTimersByTimeAsync(31_399);
    // The Timer E already running fires at 1500; from then on it is T2.
    expect(sender.requestTimes("OPTIONS")).toEqual([0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500]);
    await vi.advanceTimersByTimeAsync(1);
    expect(received.map((r) => r.status)).toEqual([100, 408]);
  });

  it("MUST pass provisional and final responses to the TU, then absorb retransmissions for T4 (Timer K) on UDP", async () => {
    const tx = start("UDP");
    tx.receiveResponse(response(options, 180, "x"));
    tx.receiveResponse(response(options, 200, "x"));
    expect(tx.state).toBe("completed");
    tx.receiveResponse(response(options, 200, "x"));
    await vi.advanceTimersByTimeAsync(4999);
    expect(tx.state).toBe("completed");
    expect(sender.requestTimes("OPTIONS")).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(tx.state).toBe("terminated");
    expect(received.map((r) => r.status)).toEqual([180, 200]);
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("Timer K: MUST terminate at once on a reliable transport", async () => {
    const tx = start("TLS");
    await vi.advanceTimersByTimeAsync(0);
    tx.receiveResponse(response(options, 404, "x"));
    expect(tx.state).toBe("terminated");
    expect(received.map((r) => r.status)).toEqual([404]);
  });

  it("MUST tell the TU of a transport error as a 503 and terminate (§17.1.4)", async () => {
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(0);
    sender.failure = new Error("ENETUNREACH");
    await vi.advanceTimersByTimeAsync(500);
    expect(received.map((r) => r.status)).toEqual([503]);
    expect(tx.state).toBe("terminated");
    await vi.advanceTimersByTimeAsync(40_000);
    expect(sender.requestTimes("OPTIONS")).toEqual([0, 500]);
    expect(terminated).toHaveBeenCalledTimes(1);
  });
});

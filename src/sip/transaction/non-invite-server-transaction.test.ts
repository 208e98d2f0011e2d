import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import { createResponse } from "../message/index.js";
import type { TransportName } from "../transport/endpoint.js";
import { NonInviteServerTransaction } from "./non-invite-server-transaction.js";
import { RecordingSender, request, source } from "./testing.js";
import { DEFAULT_TIMERS } from "./timers.js";
import type { ServerFailure } from "./transaction.js";

let sender: RecordingSender;
let failures: ServerFailure[];
let terminated: Mock<() => void>;

const register = request({ method: "REGISTER", branch: "z9hG4bKnist1" });
const trying = createResponse(register, 100);
const ok = createResponse(register, 200, undefined, "r1");
const forbidden = createResponse(register, 403, undefined, "r1");

function start(transport: TransportName = "UDP"): NonInviteServerTransaction {
  return new NonInviteServerTransaction(source(transport), { sender, timers: DEFAULT_TIMERS, onTerminated: terminated }, (f) => failures.push(f));
}

const statuses = (): number[] => sender.responses.map((s) => s.response.status);

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  sender = new RecordingSender();
  failures = [];
  terminated = vi.fn<() => void>();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("non-INVITE server transaction (RFC 3261 §17.2.2)", () => {
  it("MUST send nothing of its own and discard request retransmissions while Trying", async () => {
    const tx = start("UDP");
    tx.receiveRetransmission();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tx.state).toBe("trying");
    expect(statuses()).toEqual([]);
  });

  it("MUST enter Proceeding on a provisional response and resend the latest one for each retransmission", () => {
    const tx = start("UDP");
    tx.respond(trying);
    expect(tx.state).toBe("proceeding");
    tx.receiveRetransmission();
    expect(statuses()).toEqual([100, 100]);
  });

  it("MUST resend the final response for each retransmission while Completed, and end after 64*T1 (Timer J) on UDP", async () => {
    const tx = start("UDP");
    tx.respond(trying);
    tx.respond(ok);
    expect(tx.state).toBe("completed");
    await vi.advanceTimersByTimeAsync(1000);
    tx.receiveRetransmission();
    await vi.advanceTimersByTimeAsync(30_999);
    expect(tx.state).toBe("completed");
    await vi.advanceTimersByTimeAsync(1);
    expect(tx.state).toBe("terminated");
    expect(sender.responseTimes(200)).toEqual([0, 1000]);
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("MUST NOT retransmit the final response by itself", async () => {
    start("UDP").respond(ok);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(sender.responseTimes(200)).toEqual([0]);
  });

  it("Timer J: MUST end at once on a reliable transport", () => {
    const tx = start("TCP");
    tx.respond(ok);
    expect(tx.state).toBe("terminated");
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("answered statelessly (§8.2.7), ends at once on UDP after sending the final response, and keeps nothing to resend", () => {
    const tx = start("UDP");
    tx.respond(trying, true);
    expect(tx.state).toBe("proceeding");
    tx.respond(forbidden, true);
    expect(tx.state).toBe("terminated");
    expect(terminated).toHaveBeenCalledOnce();
    tx.receiveRetransmission();
    expect(statuses()).toEqual([100, 403]);
  });

  it("MUST discard further final responses from the TU while Completed", () => {
    const tx = start("UDP");
    tx.respond(forbidden);
    tx.respond(ok);
    tx.respond(trying);
    expect(statuses()).toEqual([403]);
  });

  it("SHOULD tell the TU of a transport error, once, and terminate (§17.2.4)", async () => {
    const tx = start("UDP");
    sender.failure = new Error("EMSGSIZE");
    tx.respond(trying);
    tx.receiveRetransmission();
    await vi.advanceTimersByTimeAsync(0);
    expect(tx.state).toBe("terminated");
    expect(failures).toEqual([{ kind: "transport", error: sender.failure }]);
  });

  it("SHOULD tell the TU of a transport error even when Timer J of 0 ended the transaction first", async () => {
    const tx = start("TCP");
    sender.failure = new Error("ECONNRESET");
    tx.respond(ok);
    await vi.advanceTimersByTimeAsync(0);
    expect(tx.state).toBe("terminated");
    expect(failures).toEqual([{ kind: "transport", error: sender.failure }]);
    expect(terminated).toHaveBeenCalledTimes(1);
  });
});

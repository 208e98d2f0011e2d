import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import { createResponse } from "../message/index.js";
import type { TransportName } from "../transport/endpoint.js";
import { InviteServerTransaction } from "./invite-server-transaction.js";
import { RecordingSender, request, source } from "./testing.js";
import { DEFAULT_TIMERS, TRYING_DELAY } from "./timers.js";
import type { ServerFailure } from "./transaction.js";

let sender: RecordingSender;
let failures: ServerFailure[];
let terminated: Mock<() => void>;

const invite = request({ method: "INVITE", branch: "z9hG4bKist1" });
const ringing = createResponse(invite, 180, undefined, "uas1");
const busy = createResponse(invite, 486, undefined, "uas1");
const ok = createResponse(invite, 200, undefined, "uas1");

function start(transport: TransportName = "UDP", tryingDelay = 0): InviteServerTransaction {
  return new InviteServerTransaction(
    invite,
    source(transport),
    { sender, timers: DEFAULT_TIMERS, onTerminated: terminated },
    (f) => failures.push(f),
    tryingDelay,
  );
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

describe("INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §8.7)", () => {
  it("MUST send 100 Trying at once, without a To tag, to where the INVITE came from", () => {
    start("UDP");
    expect(statuses()).toEqual([100]);
    expect(sender.responses[0]!.response.toTag).toBeUndefined();
    expect(sender.responses[0]!.requestSource).toEqual(source("UDP"));
  });

  it("when configured to wait, MUST send 100 Trying if the TU has not answered within 200 ms", async () => {
    start("UDP", TRYING_DELAY);
    await vi.advanceTimersByTimeAsync(199);
    expect(statuses()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sender.responseTimes(100)).toEqual([200]);
  });

  it("when configured to wait, MAY skip 100 Trying if the TU answers within 200 ms", async () => {
    const tx = start("UDP", TRYING_DELAY);
    await vi.advanceTimersByTimeAsync(150);
    tx.respond(ringing);
    await vi.advanceTimersByTimeAsync(1000);
    expect(statuses()).toEqual([180]);
  });

  it("MUST resend the most recent provisional response when the INVITE is retransmitted in Proceeding", () => {
    const tx = start("UDP");
    tx.receiveRetransmission();
    tx.respond(ringing);
    tx.receiveRetransmission();
    expect(statuses()).toEqual([100, 100, 180, 180]);
  });

  it("MUST retransmit a 300-699 response at 500, 1500, 3500 ms, capped at T2, on UDP and tell the TU when no ACK comes (Timer H)", async () => {
    const tx = start("UDP");
    tx.respond(busy);
    expect(tx.state).toBe("completed");
    await vi.advanceTimersByTimeAsync(31_999);
    expect(sender.responseTimes(486)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(failures).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(tx.state).toBe("terminated");
    expect(failures).toEqual([{ kind: "no-ack" }]);
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("MUST NOT retransmit a final response over TCP; Timer H still fires after 64*T1", async () => {
    const tx = start("TCP");
    tx.respond(busy);
    await vi.advanceTimersByTimeAsync(32_000);
    expect(sender.responseTimes(486)).toEqual([0]);
    expect(tx.state).toBe("terminated");
    expect(failures).toEqual([{ kind: "no-ack" }]);
  });

  it("SHOULD resend the final response when the INVITE is retransmitted in Completed", async () => {
    const tx = start("TCP");
    tx.respond(busy);
    await vi.advanceTimersByTimeAsync(100);
    tx.receiveRetransmission();
    expect(sender.responseTimes(486)).toEqual([0, 100]);
  });

  it("MUST move to Confirmed on the ACK, stop retransmitting, absorb further ACKs and end after T4 (Timer I) on UDP", async () => {
    const tx = start("UDP");
    tx.respond(busy);
    await vi.advanceTimersByTimeAsync(600);
    expect(tx.receiveAck()).toBe(false);
    expect(tx.state).toBe("confirmed");
    expect(tx.receiveAck()).toBe(false);
    await vi.advanceTimersByTimeAsync(4999);
    expect(tx.state).toBe("confirmed");
    await vi.advanceTimersByTimeAsync(1);
    expect(tx.state).toBe("terminated");
    expect(sender.responseTimes(486)).toEqual([0, 500]);
    expect(failures).toEqual([]);
  });

  it("Timer I: MUST end at once on the ACK over a reliable transport", () => {
    const tx = start("WS");
    tx.respond(busy);
    tx.receiveAck();
    expect(tx.state).toBe("terminated");
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("MUST enter Accepted on a 2xx and MUST NOT retransmit it itself (RFC 6026)", async () => {
    const tx = start("UDP");
    tx.respond(ok);
    expect(tx.state).toBe("accepted");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sender.responseTimes(200)).toEqual([0]);
  });

  it("in Accepted, MUST send the TU's 2xx retransmissions and absorb INVITE retransmissions", async () => {
    const tx = start("UDP");
    tx.respond(ok);
    await vi.advanceTimersByTimeAsync(500);
    tx.respond(ok);
    tx.receiveRetransmission();
    tx.respond(busy);
    expect(sender.responseTimes(200)).toEqual([0, 500]);
    expect(statuses()).toEqual([100, 200, 200]);
  });

  it("in Accepted, MUST pass an ACK to the TU rather than absorb it", () => {
    const tx = start("UDP");
    tx.respond(ok);
    expect(tx.receiveAck()).toBe(true);
    expect(tx.state).toBe("accepted");
  });

  it("Timer L: MUST leave Accepted after 64*T1 on every transport", async () => {
    const tx = start("TCP");
    tx.respond(ok);
    await vi.advanceTimersByTimeAsync(31_999);
    expect(tx.state).toBe("accepted");
    await vi.advanceTimersByTimeAsync(1);
    expect(tx.state).toBe("terminated");
    expect(failures).toEqual([]);
  });

  it("MUST discard responses the TU passes after a non-2xx final response", () => {
    const tx = start("UDP");
    tx.respond(busy);
    tx.respond(ok);
    tx.respond(ringing);
    expect(statuses()).toEqual([100, 486]);
  });

  it("SHOULD tell the TU of a transport error and terminate (§17.2.4)", async () => {
    const tx = start("TCP");
    sender.failure = new Error("EPIPE");
    tx.respond(busy);
    await vi.advanceTimersByTimeAsync(0);
    expect(tx.state).toBe("terminated");
    expect(failures).toEqual([{ kind: "transport", error: sender.failure }]);
    expect(terminated).toHaveBeenCalledTimes(1);
  });
});

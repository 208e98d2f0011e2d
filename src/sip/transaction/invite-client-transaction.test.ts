import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import type { SipResponse } from "../message/index.js";
import { InviteClientTransaction } from "./invite-client-transaction.js";
import { endpoint, RecordingSender, request, response } from "./testing.js";
import { DEFAULT_TIMERS } from "./timers.js";
import type { TransportName } from "../transport/endpoint.js";

let sender: RecordingSender;
let received: SipResponse[];
let terminated: Mock<() => void>;

const invite = request({
  method: "INVITE",
  branch: "z9hG4bKnashds8",
  sentBy: "192.0.2.1:5060",
  lowerVias: ["SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKupstream"],
  routes: ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"],
});

function start(transport: TransportName = "UDP"): InviteClientTransaction {
  return new InviteClientTransaction(invite, endpoint(transport), { sender, timers: DEFAULT_TIMERS, onTerminated: terminated }, (r) =>
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

describe("INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §8.4)", () => {
  it("MUST retransmit the INVITE at 500, 1500, 3500 ... 31500 ms and time out with a 408 after 64*T1 on UDP", async () => {
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(31_999);
    expect(sender.requestTimes("INVITE")).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(received).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(received.map((r) => r.status)).toEqual([408]);
    expect(tx.state).toBe("terminated");
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("MUST NOT generate an ACK when Timer B fires", async () => {
    start("UDP");
    await vi.advanceTimersByTimeAsync(40_000);
    expect(sender.requestTimes("ACK")).toEqual([]);
  });

  it("MUST NOT retransmit over TCP, and still times out after 64*T1", async () => {
    start("TCP");
    await vi.advanceTimersByTimeAsync(32_000);
    expect(sender.requestTimes("INVITE")).toEqual([0]);
    expect(received.map((r) => r.status)).toEqual([408]);
  });

  it("MUST NOT retransmit when the sender moved the INVITE from UDP to TCP (§18.1.1)", async () => {
    sender.switchTo = "TCP";
    start("UDP");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sender.requestTimes("INVITE")).toEqual([0]);
  });

  it("MUST pass a provisional response to the TU, move to Proceeding and stop retransmitting", async () => {
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(700);
    tx.receiveResponse(response(invite, 100));
    tx.receiveResponse(response(invite, 180, "b1"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(tx.state).toBe("proceeding");
    expect(sender.requestTimes("INVITE")).toEqual([0, 500]);
    // Timer B only ends a transaction that is still Calling.
    expect(received.map((r) => r.status)).toEqual([100, 180]);
  });

  it("SHOULD consider a cancelled INVITE with no final response 64*T1 later as cancelled: a 487 to the TU, and the transaction destroyed (§9.1)", async () => {
    const tx = start("UDP");
    tx.receiveResponse(response(invite, 180, "b1"));
    tx.cancelSent();
    await vi.advanceTimersByTimeAsync(31_999);
    expect(tx.state).toBe("proceeding");
    await vi.advanceTimersByTimeAsync(1);
    expect(received.map((r) => r.status)).toEqual([180, 487]);
    expect(tx.state).toBe("terminated");
    expect(terminated).toHaveBeenCalledTimes(1);
    // Nothing was sent for it: the CANCEL is the TU's own transaction.
    expect(sender.requestTimes("ACK")).toEqual([]);
  });

  it("MUST pass the callee's own 487 after a CANCEL, and not a second one later", async () => {
    const tx = start("UDP");
    tx.receiveResponse(response(invite, 180, "b1"));
    tx.cancelSent();
    await vi.advanceTimersByTimeAsync(1_000);
    tx.receiveResponse(response(invite, 487, "b1"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(received.map((r) => r.status)).toEqual([180, 487]);
    expect(sender.requestTimes("ACK")).toEqual([1_000]);
  });

  it("MUST build the ACK for a 300-699 response from the INVITE and the response (§17.1.1.3)", async () => {
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(0);
    const busy = response(invite, 486, "callee7");
    tx.receiveResponse(busy);
    await vi.advanceTimersByTimeAsync(0);
    const [sent] = sender.requests.filter((s) => s.request.method === "ACK");
    const ack = sent!.request;
    expect(sent!.destination).toEqual(endpoint("UDP"));
    expect(ack.uri).toBe(invite.uri);
    expect(ack.headers.all("Via").map((f) => f.value)).toEqual(["SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8"]);
    expect(ack.headers.all("Route").map((f) => f.value)).toEqual(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]);
    expect(ack.headers.get("From")).toBe(invite.headers.get("From"));
    expect(ack.headers.get("To")).toBe("Bob <sip:bob@example.com>;tag=callee7");
    expect(ack.callId).toBe(invite.callId);
    expect(ack.cseq).toEqual({ seq: 314159, method: "ACK" });
    expect(received).toEqual([busy]);
    expect(tx.state).toBe("completed");
  });

  it("MUST send the ACK even over TCP, to the transport the INVITE went on", async () => {
    sender.switchTo = "TCP";
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(0);
    tx.receiveResponse(response(invite, 603, "x"));
    const acks = sender.requests.filter((s) => s.request.method === "ACK");
    expect(acks.map((s) => s.destination.transport)).toEqual(["TCP"]);
  });

  it("MUST resend the ACK for each retransmitted final response in Completed, without passing it to the TU", async () => {
    const tx = start("UDP");
    tx.receiveResponse(response(invite, 404, "t"));
    await vi.advanceTimersByTimeAsync(1000);
    tx.receiveResponse(response(invite, 404, "t"));
    await vi.advanceTimersByTimeAsync(1000);
    tx.receiveResponse(response(invite, 404, "t"));
    expect(sender.requestTimes("ACK")).toEqual([0, 1000, 2000]);
    expect(received.map((r) => r.status)).toEqual([404]);
    expect(sender.requestTimes("INVITE")).toEqual([0]);
  });

  it("Timer D: MUST stay Completed for 32 s on UDP, then terminate", async () => {
    const tx = start("UDP");
    tx.receiveResponse(response(invite, 500, "t"));
    await vi.advanceTimersByTimeAsync(31_999);
    expect(tx.state).toBe("completed");
    await vi.advanceTimersByTimeAsync(1);
    expect(tx.state).toBe("terminated");
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("Timer D: MUST terminate at once on a reliable transport", async () => {
    const tx = start("TCP");
    await vi.advanceTimersByTimeAsync(0);
    tx.receiveResponse(response(invite, 500, "t"));
    expect(tx.state).toBe("terminated");
    expect(sender.requestTimes("ACK")).toEqual([0]);
  });

  it("MUST enter Accepted on a 2xx, pass every 2xx to the TU and MUST NOT ACK any (RFC 6026 §8.4)", async () => {
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(100);
    tx.receiveResponse(response(invite, 200, "fork1"));
    await vi.advanceTimersByTimeAsync(500);
    tx.receiveResponse(response(invite, 200, "fork1"));
    tx.receiveResponse(response(invite, 200, "fork2"));
    tx.receiveResponse(response(invite, 180, "fork3"));
    tx.receiveResponse(response(invite, 486, "fork4"));
    expect(tx.state).toBe("accepted");
    expect(received.map((r) => `${r.status} ${r.toTag}`)).toEqual(["200 fork1", "200 fork1", "200 fork2"]);
    expect(sender.requestTimes("ACK")).toEqual([]);
    expect(sender.requestTimes("INVITE")).toEqual([0]);
  });

  it("Timer M: MUST leave Accepted after 64*T1", async () => {
    const tx = start("TCP");
    tx.receiveResponse(response(invite, 200, "a"));
    await vi.advanceTimersByTimeAsync(31_999);
    expect(tx.state).toBe("accepted");
    await vi.advanceTimersByTimeAsync(1);
    expect(tx.state).toBe("terminated");
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("MUST tell the TU of a transport error as a 503 and terminate (§17.1.4)", async () => {
    sender.failure = new Error("ECONNREFUSED");
    const tx = start("TCP");
    await vi.advanceTimersByTimeAsync(0);
    expect(received.map((r) => r.status)).toEqual([503]);
    expect(tx.state).toBe("terminated");
    await vi.advanceTimersByTimeAsync(40_000);
    expect(received).toHaveLength(1);
    expect(terminated).toHaveBeenCalledTimes(1);
  });

  it("MUST terminate when the ACK cannot be sent, without a second final response to the TU", async () => {
    const tx = start("UDP");
    await vi.advanceTimersByTimeAsync(0);
    sender.failure = new Error("EHOSTUNREACH");
    tx.receiveResponse(response(invite, 486, "t"));
    await vi.advanceTimersByTimeAsync(0);
    expect(tx.state).toBe("terminated");
    expect(received.map((r) => r.status)).toEqual([486]);
  });
});

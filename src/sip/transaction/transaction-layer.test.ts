import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createResponse, parseMessage, type SipRequest, type SipResponse } from "../message/index.js";
import { InviteServerTransaction } from "./invite-server-transaction.js";
import { endpoint, RecordingSender, request, response, source } from "./testing.js";
import { TransactionError } from "./transaction-error.js";
import { TransactionLayer, type FailedRequest, type RequestDisposition, type ServerTransaction } from "./transaction-layer.js";
import type { ServerFailure } from "./transaction.js";

let sender: RecordingSender;
let layer: TransactionLayer;
let failures: Array<[FailedRequest, ServerFailure]>;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  sender = new RecordingSender();
  failures = [];
  layer = new TransactionLayer(sender, { onServerFailure: (tx, f) => failures.push([tx, f]) });
});

afterEach(() => {
  vi.useRealTimers();
});

/** An RFC 4475 torture message from ../shared/testdata, optionally edited (as latin1, so every octet survives). */
function rfc4475(name: string, edit: (text: string) => string = (t) => t): SipRequest {
  const bytes = readFileSync(new URL(`../../../../shared/testdata/rfc4475/${name}.dat`, import.meta.url));
  const message = parseMessage(Buffer.from(edit(bytes.toString("latin1")), "latin1"));
  if (message.kind !== "request") throw new Error(`${name} is not a request`);
  return message;
}

function raw(lines: string[]): SipRequest {
  const message = parseMessage(Buffer.from(`${lines.join("\r\n")}\r\n\r\n`));
  if (message.kind !== "request") throw new Error("not a request");
  return message;
}

function newTransaction(disposition: RequestDisposition): ServerTransaction {
  if (disposition.kind !== "new") throw new Error(`expected a new transaction, got ${disposition.kind}`);
  return disposition.transaction;
}

const invite = request({ method: "INVITE", branch: "z9hG4bK776asdhds" });

describe("server transaction matching (RFC 3261 §17.2.3)", () => {
  it("MUST hand a new request to the TU and absorb its retransmission, resending the last response", () => {
    const tx = newTransaction(layer.receiveRequest(invite, source("UDP")));
    tx.respond(createResponse(invite, 180, undefined, "uas"));
    expect(layer.receiveRequest(request({ method: "INVITE", branch: "z9hG4bK776asdhds" }), source("UDP"))).toEqual({ kind: "absorbed" });
    expect(sender.responses.map((s) => s.response.status)).toEqual([100, 180, 180]);
    expect(layer.size).toEqual({ client: 0, server: 1 });
  });

  it("MUST match on branch, sent-by and method: the same branch from another sent-by or with another method is a new transaction", () => {
    newTransaction(layer.receiveRequest(invite, source("UDP")));
    newTransaction(layer.receiveRequest(request({ method: "INVITE", branch: "z9hG4bK776asdhds", sentBy: "192.0.2.99:5060" }), source("UDP")));
    newTransaction(layer.receiveRequest(request({ method: "CANCEL", branch: "z9hG4bK776asdhds" }), source("UDP")));
    expect(layer.size.server).toBe(3);
  });

  it("MUST compare the sent-by host case-insensitively", () => {
    newTransaction(layer.receiveRequest(request({ method: "OPTIONS", branch: "z9hG4bKcase", sentBy: "PC33.Example.COM" }), source("UDP")));
    const again = layer.receiveRequest(request({ method: "OPTIONS", branch: "z9hG4bKcase", sentBy: "pc33.example.com" }), source("UDP"));
    expect(again.kind).toBe("absorbed");
  });

  it("MUST match the ACK of a non-2xx response to its INVITE transaction and absorb it", () => {
    const tx = newTransaction(layer.receiveRequest(invite, source("UDP")));
    tx.respond(createResponse(invite, 486, undefined, "uas"));
    const ack = request({ method: "ACK", branch: "z9hG4bK776asdhds", toTag: "uas", cseq: 314159 });
    expect(layer.receiveRequest(ack, source("UDP"))).toEqual({ kind: "absorbed" });
    expect(tx.state).toBe("confirmed");
  });

  it("MUST pass the ACK of a 2xx, which has its own branch, to the TU with no transaction", () => {
    const tx = newTransaction(layer.receiveRequest(invite, source("UDP")));
    tx.respond(createResponse(invite, 200, undefined, "uas"));
    const ack = request({ method: "ACK", branch: "z9hG4bKnewbranch", toTag: "uas" });
    expect(layer.receiveRequest(ack, source("UDP"))).toEqual({ kind: "ack", transaction: undefined });
    expect(layer.size.server).toBe(1);
  });

  it("MUST pass an ACK that matches a transaction in Accepted to the TU, with it (RFC 6026 §8.7)", () => {
    const tx = newTransaction(layer.receiveRequest(invite, source("UDP")));
    tx.respond(createResponse(invite, 200, undefined, "uas"));
    const ack = request({ method: "ACK", branch: "z9hG4bK776asdhds", toTag: "uas" });
    expect(layer.receiveRequest(ack, source("UDP"))).toEqual({ kind: "ack", transaction: tx });
  });

  it("MUST NOT create a transaction for an ACK", () => {
    layer.receiveRequest(request({ method: "ACK", branch: "z9hG4bKlonely" }), source("UDP"));
    expect(layer.size.server).toBe(0);
  });

  it("MUST make a CANCEL its own transaction and find the INVITE it cancels (§9.2)", () => {
    const inviteTx = newTransaction(layer.receiveRequest(invite, source("UDP")));
    const cancel = request({ method: "CANCEL", branch: "z9hG4bK776asdhds" });
    const cancelTx = newTransaction(layer.receiveRequest(cancel, source("UDP")));
    expect(cancelTx).not.toBe(inviteTx);
    expect(layer.findInviteForCancel(cancel)).toBe(inviteTx);
    expect(layer.findInviteForCancel(request({ method: "CANCEL", branch: "z9hG4bKother" }))).toBeUndefined();
  });

  it("counts new requests and the retransmissions its transactions absorbed (an overload signal)", () => {
    const options = request({ method: "OPTIONS", branch: "z9hG4bKcount" });
    layer.receiveRequest(options, source("UDP"));
    layer.receiveRequest(options, source("UDP"));
    layer.receiveRequest(request({ method: "OPTIONS", branch: "z9hG4bKcount2" }), source("UDP"));
    expect(layer.requestCounts).toEqual({ new: 2, retransmitted: 1 });
  });

  it("MUST forget a server transaction when it terminates", () => {
    const options = request({ method: "OPTIONS", branch: "z9hG4bKo" });
    const tx = newTransaction(layer.receiveRequest(options, source("TCP")));
    tx.respond(createResponse(options, 200, undefined, "t"));
    expect(layer.size.server).toBe(0);
    const again = layer.receiveRequest(request({ method: "OPTIONS", branch: "z9hG4bKo" }), source("TCP"));
    expect(again.kind).toBe("new");
  });

  it("on UDP, MUST resend a non-INVITE's final response for each retransmission while Completed, and end it at Timer J (64*T1)", async () => {
    const register = request({ method: "REGISTER", branch: "z9hG4bKj1" });
    const tx = newTransaction(layer.receiveRequest(register, source("UDP")));
    tx.respond(createResponse(register, 200, undefined, "r"));
    await vi.advanceTimersByTimeAsync(31_000);
    expect(layer.receiveRequest(request({ method: "REGISTER", branch: "z9hG4bKj1" }), source("UDP"))).toEqual({ kind: "absorbed" });
    expect(sender.responses.map((s) => s.response.status)).toEqual([200, 200]);
    expect(layer.size.server).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(layer.size.server).toBe(0);
    expect(layer.receiveRequest(request({ method: "REGISTER", branch: "z9hG4bKj1" }), source("UDP")).kind).toBe("new");
    expect(failures).toEqual([]);
  });

  it("SHOULD tell the TU once when a Completed transaction's resend fails, and forget it (§17.2.4)", async () => {
    const bye = request({ method: "BYE", branch: "z9hG4bKfail" });
    newTransaction(layer.receiveRequest(bye, source("UDP"))).respond(createResponse(bye, 200, undefined, "u"));
    await vi.advanceTimersByTimeAsync(0);
    sender.failure = new Error("network unreachable");
    expect(layer.receiveRequest(request({ method: "BYE", branch: "z9hG4bKfail" }), source("UDP")).kind).toBe("absorbed");
    await vi.advanceTimersByTimeAsync(0);
    expect(failures.map(([tx, f]) => [tx.branch, f.kind])).toEqual([["z9hG4bKfail", "transport"]]);
    expect(layer.size.server).toBe(0);
  });

  it("MUST report Timer H to the TU with the request's Call-ID and branch", async () => {
    const tx = newTransaction(layer.receiveRequest(invite, source("UDP")));
    tx.respond(createResponse(invite, 404, undefined, "uas"));
    await vi.advanceTimersByTimeAsync(32_000);
    expect(failures).toEqual([[{ callId: invite.callId, branch: invite.via.branch }, { kind: "no-ack" }]]);
    expect(layer.size.server).toBe(0);
  });

  it("when configured, SHOULD hold 100 Trying back for 200 ms", async () => {
    layer = new TransactionLayer(sender, { trying: "after-200ms" });
    const tx = newTransaction(layer.receiveRequest(invite, source("UDP")));
    tx.respond(createResponse(invite, 180, undefined, "uas"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(sender.responses.map((s) => s.response.status)).toEqual([180]);
  });
});

describe("RFC 2543 fallback matching (RFC 3261 §17.2.3)", () => {
  const inv2543 = rfc4475("inv2543");
  const ack2543 = (toTag: string): SipRequest =>
    raw([
      "ACK sip:UserB@example.com SIP/2.0",
      "Via: SIP/2.0/UDP iftgw.example.com",
      "From: <sip:+13035551111@ift.client.example.net;user=phone>",
      `To: sip:+16505552222@ss1.example.net;user=phone;tag=${toTag}`,
      "Call-ID: inv2543.1717@ift.client.example.com",
      "CSeq: 56 ACK",
    ]);

  it("MUST absorb a retransmitted RFC 2543 INVITE (RFC 4475 inv2543)", () => {
    newTransaction(layer.receiveRequest(inv2543, source("UDP")));
    expect(layer.receiveRequest(rfc4475("inv2543"), source("UDP"))).toEqual({ kind: "absorbed" });
  });

  it("MUST match the ACK by the To tag of the response sent", () => {
    const tx = newTransaction(layer.receiveRequest(inv2543, source("UDP")));
    tx.respond(createResponse(inv2543, 486, undefined, "busy1"));
    expect(layer.receiveRequest(ack2543("other"), source("UDP"))).toEqual({ kind: "ack", transaction: undefined });
    expect(tx.state).toBe("completed");
    expect(layer.receiveRequest(ack2543("busy1"), source("UDP"))).toEqual({ kind: "absorbed" });
    expect(tx.state).toBe("confirmed");
  });

  it("MUST pass an RFC 2543 ACK to a transaction in Accepted up to the TU (RFC 6026 §6)", () => {
    const tx = newTransaction(layer.receiveRequest(inv2543, source("UDP")));
    tx.respond(createResponse(inv2543, 200, undefined, "ok1"));
    expect(layer.receiveRequest(ack2543("ok1"), source("UDP"))).toEqual({ kind: "ack", transaction: tx });
  });

  it("MUST find the INVITE an RFC 2543 CANCEL cancels", () => {
    const tx = newTransaction(layer.receiveRequest(inv2543, source("UDP")));
    const cancel = raw([
      "CANCEL sip:UserB@example.com SIP/2.0",
      "Via: SIP/2.0/UDP iftgw.example.com",
      "From: <sip:+13035551111@ift.client.example.net;user=phone>",
      "To: sip:+16505552222@ss1.example.net;user=phone",
      "Call-ID: inv2543.1717@ift.client.example.com",
      "CSeq: 56 CANCEL",
    ]);
    expect(layer.findInviteForCancel(cancel)).toBe(tx);
    expect(tx).toBeInstanceOf(InviteServerTransaction);
    newTransaction(layer.receiveRequest(cancel, source("UDP")));
  });

  it("MUST treat a bare magic cookie branch as no branch (RFC 4475 badbranch)", () => {
    newTransaction(layer.receiveRequest(rfc4475("badbranch"), source("UDP")));
    expect(layer.receiveRequest(rfc4475("badbranch"), source("UDP"))).toEqual({ kind: "absorbed" });
    // Another request with the same bare branch is told apart by its Call-ID.
    const other = rfc4475("badbranch", (t) => t.replace("Call-ID: badbranch.", "Call-ID: other."));
    expect(layer.receiveRequest(other, source("UDP")).kind).toBe("new");
  });
});

describe("client transactions (RFC 3261 §17.1.3)", () => {
  function collect(): { responses: SipResponse[]; push: (r: SipResponse) => void } {
    const responses: SipResponse[] = [];
    return { responses, push: (r) => responses.push(r) };
  }

  it("MUST send the request and route responses to it by branch and CSeq method", () => {
    const got = collect();
    const out = request({ method: "INVITE", branch: "z9hG4bKout1" });
    layer.createClientTransaction(out, endpoint("UDP"), got.push);
    expect(sender.requestTimes("INVITE")).toEqual([0]);
    expect(layer.receiveResponse(response(out, 180, "b"))).toBe("matched");
    // The 200 to a CANCEL shares the INVITE's branch but not its transaction.
    const cancel = request({ method: "CANCEL", branch: "z9hG4bKout1" });
    expect(layer.receiveResponse(response(cancel, 200, "b"))).toBe("stray");
    expect(got.responses.map((r) => r.status)).toEqual([180]);
  });

  it("MUST report a response that matches no transaction as stray", () => {
    expect(layer.receiveResponse(response(request({ method: "INVITE", branch: "z9hG4bKnobody" }), 200, "x"))).toBe("stray");
  });

  it("MUST forget a client transaction when it terminates, so later 2xx are stray", async () => {
    const got = collect();
    const out = request({ method: "INVITE", branch: "z9hG4bKout2" });
    layer.createClientTransaction(out, endpoint("UDP"), got.push);
    expect(layer.receiveResponse(response(out, 200, "b"))).toBe("matched");
    expect(layer.size.client).toBe(1);
    await vi.advanceTimersByTimeAsync(32_000);
    expect(layer.size.client).toBe(0);
    expect(layer.receiveResponse(response(out, 200, "b"))).toBe("stray");
  });

  it("MUST refuse an ACK, a request without an RFC 3261 branch, and a branch already in use", () => {
    const noop = (): void => {};
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof TransactionError ? e.code : "other";
      }
      return undefined;
    };
    expect(code(() => layer.createClientTransaction(request({ method: "ACK", branch: "z9hG4bKa" }), endpoint("UDP"), noop))).toBe(
      "SIP_TRANSACTION_ACK",
    );
    expect(code(() => layer.createClientTransaction(request({ method: "BYE", branch: "z9hG4bK" }), endpoint("UDP"), noop))).toBe(
      "SIP_TRANSACTION_NO_BRANCH",
    );
    expect(code(() => layer.createClientTransaction(request({ method: "BYE" }), endpoint("UDP"), noop))).toBe("SIP_TRANSACTION_NO_BRANCH");
    layer.createClientTransaction(request({ method: "BYE", branch: "z9hG4bKdup" }), endpoint("UDP"), noop);
    expect(code(() => layer.createClientTransaction(request({ method: "BYE", branch: "z9hG4bKdup" }), endpoint("UDP"), noop))).toBe(
      "SIP_TRANSACTION_EXISTS",
    );
  });
});

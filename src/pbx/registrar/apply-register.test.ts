/**
 * The registrar's decision (RFC 3261 §10.3 steps 6–7) as a pure function, and the
 * RFC 4475 REGISTERs whose bindings the RFC says how to keep (cparam01, cparam02,
 * regescrt).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMessage, type SipRequest } from "../../sip/message/index.js";
import type { Binding } from "../../state/index.js";
import { applyRegister, type RegisterContext, type RegisterRefusal } from "./apply-register.js";
import { readRegisterRequest } from "./requested-contacts.js";

const NOW = 1_800_000_000_000;
const POLICY = { minExpires: 60, maxExpires: 3600, maxContacts: 3 };
const TORTURE = join(import.meta.dirname, "../../../../shared/testdata/rfc4475");

function register(contacts: string[], opts: { callId?: string; cseq?: number; expires?: number } = {}): SipRequest {
  const lines = [
    "REGISTER sip:strowger.local SIP/2.0",
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg",
    "From: <sip:2001@strowger.local>;tag=1",
    "To: <sip:2001@strowger.local>",
    `Call-ID: ${opts.callId ?? "call-1"}`,
    `CSeq: ${opts.cseq ?? 1} REGISTER`,
    ...contacts.map((c) => `Contact: ${c}`),
    ...(opts.expires === undefined ? [] : [`Expires: ${opts.expires}`]),
    "Content-Length: 0",
    "",
    "",
  ];
  return parseMessage(Buffer.from(lines.join("\r\n"))) as SipRequest;
}

function context(request: SipRequest): RegisterContext {
  return {
    aor: "sip:2001@strowger.local",
    callId: request.callId,
    cseq: request.cseq.seq,
    source: { transport: "UDP", address: "192.0.2.10", port: 5060 },
    node: "a",
    path: [],
  };
}

function apply(current: readonly Binding[], request: SipRequest, now = NOW) {
  return applyRegister(current, readRegisterRequest(request, 3600), context(request), POLICY, now);
}

function bindings(result: readonly Binding[] | RegisterRefusal): readonly Binding[] {
  if ("kind" in result) throw new Error(`refused: ${result.status} ${result.reason}`);
  return result;
}

describe("registrar decision (RFC 3261 §10.3)", () => {
  it("MUST take the expiry from the contact's expires parameter, else the Expires header, else the default (§10.2.1.1)", () => {
    const result = bindings(apply([], register(["<sip:2001@192.0.2.10>;expires=120", "<sip:2001@192.0.2.11>"], { expires: 300 })));
    expect(result.map((b) => (b.expiresAt - NOW) / 1000)).toEqual([120, 300]);
    expect(bindings(apply([], register(["<sip:2001@192.0.2.10>"])))[0]!.expiresAt).toBe(NOW + 3600_000);
  });

  it("MUST refuse a non-zero expiry below the minimum with 423 and Min-Expires, and SHOULD cut one above the maximum", () => {
    expect(apply([], register(["<sip:2001@192.0.2.10>;expires=30"]))).toMatchObject({ status: 423, minExpires: 60 });
    expect(bindings(apply([], register(["<sip:2001@192.0.2.10>;expires=99999"])))[0]!.expiresAt).toBe(NOW + 3600_000);
  });

  it("MUST update a binding of the same contact, and remove it on expires 0", () => {
    const first = bindings(apply([], register(["<sip:2001@192.0.2.10>"], { cseq: 1 })));
    const refreshed = bindings(apply(first, register(["<sip:2001@192.0.2.10>"], { cseq: 2 }), NOW + 1000));
    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]!.expiresAt).toBe(NOW + 1000 + 3600_000);
    expect(bindings(apply(refreshed, register(["<sip:2001@192.0.2.10>;expires=0"], { cseq: 3 })))).toEqual([]);
  });

  it("MUST compare contacts as §19.1.4 does: escapes and host case do not make a second binding", () => {
    const first = bindings(apply([], register(["<sip:2001@PHONE.example.org>"], { cseq: 1 })));
    expect(bindings(apply(first, register(["<sip:%32001@phone.example.org>"], { cseq: 2 })))).toHaveLength(1);
  });

  it("MUST abort when the Call-ID is the same and the CSeq is not higher (500)", () => {
    const first = bindings(apply([], register(["<sip:2001@192.0.2.10>"], { cseq: 5 })));
    expect(apply(first, register(["<sip:2001@192.0.2.10>"], { cseq: 5 }))).toMatchObject({ status: 500 });
    expect(apply(first, register(["<sip:2001@192.0.2.10>"], { cseq: 4 }))).toMatchObject({ status: 500 });
    // A new Call-ID (the phone rebooted) may replace it whatever its CSeq.
    expect(bindings(apply(first, register(["<sip:2001@192.0.2.10>"], { callId: "call-2", cseq: 1 })))).toHaveLength(1);
  });

  it("MUST remove every binding on Contact: * with Expires: 0, and refuse * with other contacts or expiry (§10.3 step 6)", () => {
    const two = bindings(apply([], register(["<sip:2001@192.0.2.10>", "<sip:2001@192.0.2.11>"], { cseq: 1 })));
    expect(bindings(apply(two, register(["*"], { cseq: 2, expires: 0 })))).toEqual([]);
    expect(() => apply(two, register(["*"], { cseq: 2, expires: 60 }))).toThrow(/Expires: 0/);
    expect(() => apply(two, register(["*", "<sip:2001@192.0.2.12>"], { cseq: 2, expires: 0 }))).toThrow(/Expires: 0/);
  });

  it("MUST let a phone re-registering with the same +sip.instance and reg-id replace its own binding (RFC 5626 §6)", () => {
    const ob = (host: string) => `<sip:2001@${host};ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1`;
    const first = bindings(apply([], register([ob("192.0.2.10:5060")], { cseq: 1 })));
    const moved = bindings(apply(first, register([ob("192.0.2.99:40000")], { callId: "call-2", cseq: 1 })));
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ contact: "sip:2001@192.0.2.99:40000;ob", instanceId: "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>", regId: 1 });
  });

  it("SHOULD refuse more contacts than one user may hold (403)", () => {
    const four = ["a", "b", "c", "d"].map((h) => `<sip:2001@${h}.example.org>`);
    expect(apply([], register(four))).toMatchObject({ status: 403 });
  });

  it("keeps q-values, and refuses a malformed one", () => {
    expect(bindings(apply([], register(["<sip:2001@192.0.2.10>;q=0.7"])))[0]!.q).toBe(0.7);
    expect(() => apply([], register(["<sip:2001@192.0.2.10>;q=2"]))).toThrow(/q-value/);
  });
});

describe("RFC 4475 REGISTERs", () => {
  function fromFile(name: string): readonly Binding[] {
    const request = parseMessage(readFileSync(join(TORTURE, `${name}.dat`))) as SipRequest;
    return bindings(apply([], request));
  }

  it("cparam01 (§3.3.12): unknownparam is a contact-param and MUST NOT become a URI parameter of the binding", () => {
    const [binding] = fromFile("cparam01");
    expect(binding!.contact).not.toContain("unknownparam");
  });

  it("cparam02 (§3.3.13): unknownparam inside <> is a URI parameter and MUST be kept in the binding", () => {
    const [binding] = fromFile("cparam02");
    expect(binding!.contact).toContain("unknownparam");
  });

  it("regescrt (§3.3.14): the escaped Route header in the Contact URI MUST be kept", () => {
    const [binding] = fromFile("regescrt");
    expect(binding!.contact).toContain("?Route=%3Csip:sip.example.com%3E");
  });
});

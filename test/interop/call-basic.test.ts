/**
 * Calls through one node, with sipp on both ends (RFC 3261 §16, the node as a
 * record-routing stateful proxy): the caller authenticates (407), the callee is
 * reached where it registered from, and what each end saw is read back from sipp's
 * message log. Each test uses its own callee extension: bindings outlive a test,
 * and a second binding of one user would fork the next call to a port nobody holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL_CONFIG, startCallNode, type CallNode } from "./support/call-node.js";
import { freePort } from "./support/free-port.js";
import { pollUntil } from "./support/poll.js";
import { branchOf, methodOf, requestsIn, statusesFor } from "./support/sip-calls.js";
import { headerValue, headerValues } from "./support/sip-text.js";
import type { SippRun } from "./support/sipp.js";
import { sent, type TracedMessage } from "./support/sipp-message-log.js";
import { callWithSipp, password, registerPhone, startUas } from "./support/sipp-phone.js";
import { testDirectory } from "./support/test-directory.js";

const directoryOf = (extensions: readonly string[]) => testDirectory(extensions.map((extension) => ({ extension, password: password(extension) })));
const ok = (run: SippRun) => expect(run.code, run.summary).toBe(0);
/** Final and provisional statuses without 100 Trying (hop by hop) and without retransmissions. */
const heard = (run: SippRun, method: string) => statusesFor(run.messages, method).filter((s, i, all) => s !== 100 && s !== all[i - 1]);
const callIdOf = (run: SippRun) => headerValue(run.messages[0]!, "Call-ID")!;
const only = (messages: TracedMessage[], what: string): TracedMessage => {
  expect(messages, what).toHaveLength(1);
  return messages[0]!;
};

let node: CallNode;

beforeAll(async () => {
  node = await startCallNode({ directory: directoryOf(["2001", "2002", "2003", "2004", "2005", "2006", "2007", "2008", "2009"]) });
});
afterAll(async () => {
  await node?.stop();
});

/** Registers `callee` over UDP and starts its UAS on the same port. */
async function phone(callee: string, scenario: string) {
  const udp = node.endpoint("UDP");
  return startUas(scenario, await registerPhone(udp, callee), udp);
}

describe("a call through the node (RFC 3261 §16)", () => {
  it("MUST forward INVITE, ACK and BYE to the registered phone over UDP, Record-Route with lr (§16.6 step 4) and Max-Forwards less one (§16.6 step 3)", async () => {
    const callee = await phone("2002", "uas-answer-expect-invite-ack-bye.xml");
    const caller = await callWithSipp({ scenario: "uac-invite-auth-expect-180-200-then-bye.xml", node: node.endpoint("UDP"), caller: "2001", callee: "2002" });
    const uas = await callee.done;
    ok(caller);
    ok(uas);

    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(heard(caller, "BYE")).toEqual([200]);
    const invite = only(requestsIn(uas.messages, "INVITE"), "INVITEs at the callee");
    // The Request-URI is the registered contact (§16.5), reached over the REGISTER's flow.
    expect(invite.startLine).toMatch(/^INVITE sip:2002@127\.0\.0\.1:\d+;transport=UDP SIP\/2\.0$/);
    const recordRoute = headerValues(invite, "Record-Route");
    expect(recordRoute).toHaveLength(1);
    expect(recordRoute[0]).toMatch(/^<sip:127\.0\.0\.1:\d+;transport=udp;lr[;>]/);
    expect(headerValue(invite, "Max-Forwards")).toBe("69");
    // §16.6 step 8: the node's Via on top of the caller's.
    expect(headerValues(invite, "Via")).toHaveLength(2);
    // The caller's credentials are for this node's realm: not passed on to the phone (RFC 3261 §22.3).
    expect(headerValues(invite, "Proxy-Authorization")).toEqual([]);
    // The ACK of the 2xx and the BYE came along the route set, through the node (§16.12).
    for (const method of ["ACK", "BYE"]) {
      const request = only(requestsIn(uas.messages, method), `${method}s at the callee`);
      expect(headerValues(request, "Via"), method).toHaveLength(2);
      expect(headerValue(request, "Max-Forwards"), method).toBe("69");
    }

    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "answered", caller: "2001", dialled: "2002", node: "strowger-1" });
    expect(record!.target).toContain("2002");
    expect(record!.durationMs).toBeGreaterThanOrEqual(150); // the caller holds the call for 200 ms
    expect(record!.durationMs).toBeLessThan(5_000);
  });

  it("MUST pass a callee's retransmitted 200 upstream after the call is answered (RFC 6026 §8.4, §16.7 step 5)", async () => {
    const callee = await phone("2007", "uas-answer-expect-invite-ack-bye.xml");
    const caller = await callWithSipp({ scenario: "uac-invite-auth-late-ack.xml", node: node.endpoint("UDP"), caller: "2001", callee: "2007" });
    const uas = await callee.done;
    ok(caller);
    ok(uas);
    // The callee sent its 200 again while the ACK was held back; each copy reached the caller.
    const sentByCallee = sent(uas.messages).filter((m) => m.status === 200 && methodOf(m) === "INVITE").length;
    expect(sentByCallee).toBeGreaterThanOrEqual(2);
    expect(statusesFor(caller.messages, "INVITE").filter((s) => s === 200)).toHaveLength(sentByCallee);
  });

  it("MUST record-route both sockets when the caller is on TCP and the phone on UDP (RFC 5658 double record-routing), and route the BYE across", async () => {
    const callee = await phone("2003", "uas-answer-expect-invite-ack-bye.xml");
    const caller = await callWithSipp({
      scenario: "uac-invite-auth-expect-180-200-then-bye.xml",
      node: node.endpoint("TCP"),
      transport: "t1",
      caller: "2001",
      callee: "2003",
    });
    const uas = await callee.done;
    ok(caller);
    ok(uas);

    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(heard(caller, "BYE")).toEqual([200]);
    const invite = only(requestsIn(uas.messages, "INVITE"), "INVITEs at the callee");
    const recordRoute = headerValues(invite, "Record-Route").flatMap((v) => v.split(/,\s*(?=<)/));
    // The socket facing the callee on top, then the one facing the caller.
    expect(recordRoute).toHaveLength(2);
    expect(recordRoute[0]).toMatch(/;transport=udp;lr[;>]/);
    expect(recordRoute[1]).toMatch(/;transport=tcp;lr[;>]/);
    expect(headerValue(invite, "Via")).toMatch(/^SIP\/2\.0\/UDP /);
    expect(headerValues(invite, "Via").join(",")).toMatch(/SIP\/2\.0\/TCP /);
    only(requestsIn(uas.messages, "BYE"), "BYEs at the callee");
    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "answered", caller: "2001", dialled: "2003" });
  });

  it("MUST cancel the ringing branch on CANCEL (§16.10): 200 to the CANCEL, 487 to the INVITE, and a record 'cancelled'", async () => {
    const callee = await phone("2004", "uas-ring-expect-cancel-then-487.xml");
    const caller = await callWithSipp({ scenario: "uac-invite-auth-cancel-after-180-expect-487.xml", node: node.endpoint("UDP"), caller: "2001", callee: "2004" });
    const uas = await callee.done;
    ok(caller);
    ok(uas);

    expect(heard(caller, "CANCEL")).toEqual([200]);
    expect(heard(caller, "INVITE")).toEqual([407, 180, 487]);
    const invite = only(requestsIn(uas.messages, "INVITE"), "INVITEs at the callee");
    const cancel = only(requestsIn(uas.messages, "CANCEL"), "CANCELs at the callee");
    // §9.1: the CANCEL has one Via, the INVITE's top one, so the phone matches it to the INVITE.
    expect(headerValues(cancel, "Via")).toHaveLength(1);
    expect(branchOf(headerValue(cancel, "Via"))).toBe(branchOf(headerValue(invite, "Via")));
    expect(cancel.startLine.split(" ")[1]).toBe(invite.startLine.split(" ")[1]);
    // §17.1.1.3: the node's client transaction acknowledged the 487.
    only(requestsIn(uas.messages, "ACK"), "ACKs at the callee");

    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "cancelled", caller: "2001", dialled: "2004", failureStatus: 487 });
    expect(record!.durationMs).toBeUndefined();
  });

  it("MUST hold a CANCEL for a branch that has not rung, and send it when the branch's first provisional comes (§9.1), after the caller has its 487", async () => {
    const callee = await phone("2008", "uas-ring-late-expect-cancel-then-487.xml");
    const caller = await callWithSipp({ scenario: "uac-invite-auth-cancel-before-ring-expect-487.xml", node: node.endpoint("UDP"), caller: "2001", callee: "2008" });
    const uas = await callee.done;
    ok(caller);
    ok(uas);

    expect(heard(caller, "INVITE")).toEqual([407, 487]);
    const invite = requestsIn(uas.messages, "INVITE")[0]!;
    const cancel = only(requestsIn(uas.messages, "CANCEL"), "CANCELs at the callee");
    expect(branchOf(headerValue(cancel, "Via"))).toBe(branchOf(headerValue(invite, "Via")));
    // The CANCEL went out only after the phone's 180 (§9.1).
    const ringing = sent(uas.messages).findIndex((m) => m.status === 180);
    expect(uas.messages.indexOf(cancel)).toBeGreaterThan(uas.messages.indexOf(sent(uas.messages)[ringing]!));
    only(requestsIn(uas.messages, "ACK"), "ACKs at the callee");
  });

  it("MUST route a re-INVITE and its ACK along the route set mid-call (§16.12, §14), the dialog listed while the call is up", async () => {
    const callee = await phone("2005", "uas-answer-expect-reinvite-then-bye.xml");
    // The caller pauses -d ms before its re-INVITE: the window in which the call is up.
    const calling = callWithSipp({ scenario: "uac-invite-auth-reinvite-expect-200-then-bye.xml", node: node.endpoint("UDP"), caller: "2001", callee: "2005", extraArgs: ["-d", "1000"] });
    const dialog = await pollUntil(async () => (await node.node.stateStore.listDialogs()).find((d) => d.dialled === "2005"), 5_000, "the dialog of the call to 2005");
    expect(dialog).toMatchObject({ caller: "2001", node: "strowger-1" });
    const caller = await calling;
    const uas = await callee.done;
    ok(caller);
    ok(uas);

    expect(heard(caller, "INVITE")).toEqual([407, 180, 200, 200]);
    const [, reinvite] = requestsIn(uas.messages, "INVITE");
    expect(reinvite, "the re-INVITE at the callee").toBeDefined();
    expect(headerValue(reinvite!, "CSeq")).toBe("3 INVITE");
    expect(headerValue(reinvite!, "To")).toMatch(/;tag=/);
    // In-dialog requests are not record-routed again (§16.6 step 4 is for dialog-creating requests' route set).
    expect(headerValues(reinvite!, "Record-Route")).toEqual([]);
    expect(headerValue(reinvite!, "Max-Forwards")).toBe("69");
    expect(requestsIn(uas.messages, "ACK")).toHaveLength(2);
    only(requestsIn(uas.messages, "BYE"), "BYEs at the callee");

    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "answered", dialled: "2005" });
    expect(record!.durationMs).toBeGreaterThanOrEqual(900);
    expect((await node.node.stateStore.listDialogs()).find((d) => d.dialled === "2005")).toBeUndefined();
  });

  it("MUST answer 404 for a number no rule routes, with a record 'failed'", async () => {
    const caller = await callWithSipp({ scenario: "uac-invite-auth-expect-failure.xml", node: node.endpoint("UDP"), caller: "2001", callee: "5555" });
    ok(caller);
    expect(heard(caller, "INVITE")).toEqual([407, 404]);
    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "failed", caller: "2001", dialled: "5555", failureStatus: 404 });
  });

  it("MUST answer 480 for an extension with no registered phone (§16.5: an empty target set), with a record 'no-answer'", async () => {
    const caller = await callWithSipp({ scenario: "uac-invite-auth-expect-failure.xml", node: node.endpoint("UDP"), caller: "2001", callee: "2009" });
    ok(caller);
    expect(heard(caller, "INVITE")).toEqual([407, 480]);
    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "no-answer", caller: "2001", dialled: "2009", failureStatus: 480 });
  });
});

/**
 * A loop: two nodes (two clusters) that send 5xxx to each other over trunks, each
 * trusting the other's address. East is on 127.0.0.1, west on 127.0.0.2, so that
 * east still challenges the sipp caller. The INVITE goes east → west → east (a
 * spiral: the Request-URI changed, allowed) → west, where it arrives exactly as it
 * did the first time, with west's own Via carrying the same loop hash.
 */
describe("two nodes routing a number to each other", () => {
  let east: CallNode;
  let west: CallNode;

  beforeAll(async () => {
    const eastPort = await freePort("127.0.0.1", [6]);
    const westPort = await freePort("127.0.0.2", [6]);
    const trunk = (name: string, address: string, port: number, peer: string) =>
      `trunks:\n  ${name}:\n    uri: "sip:${address}:${port};transport=udp"\n    addresses: ["${address}"]\n    context: from-${name}\n` + `cluster:\n  name: ${peer}\n`;
    const plan = (trunkName: string, contexts: readonly string[]) =>
      ["emergency:", `  target: { trunk: ${trunkName} }`, "contexts:", ...contexts.flatMap((c) => [`  ${c}:`, "    rules:", `      - { match: _5XXX, trunk: ${trunkName} }`]), ""].join("\n");
    east = await startCallNode({
      yaml: CALL_CONFIG + "node:\n  name: east\n" + trunk("west", "127.0.0.2", westPort, "east"),
      plan: plan("west", ["staff", "from-west"]),
      directory: directoryOf(["2001"]),
      port: eastPort,
    });
    west = await startCallNode({
      yaml: 'sip:\n  addresses: ["127.0.0.2"]\nmetrics:\n  enabled: false\nnode:\n  name: west\n' + trunk("east", "127.0.0.1", eastPort, "west"),
      plan: plan("east", ["from-east"]),
      directory: directoryOf([]),
      port: westPort,
    });
  });
  afterAll(async () => {
    await west?.stop();
    await east?.stop();
  });

  it("MUST answer 482 to a request that comes back with a Via of its own carrying the same loop hash (§16.3 step 4), and let the spiral through", async () => {
    const caller = await callWithSipp({ scenario: "uac-invite-auth-expect-failure.xml", node: east.endpoint("UDP"), caller: "2001", callee: "5000" });
    ok(caller);
    expect(heard(caller, "INVITE")).toEqual([407, 482]);
    const callId = callIdOf(caller);
    // East routed the call twice (the caller's INVITE, then the spiral); west routed it
    // once and refused its second copy in its initial checks, before any routing (no record).
    const atEast = await east.recordsOf(callId, 2);
    const atWest = await west.recordsOf(callId, 1);
    for (const record of [...atEast, ...atWest]) expect(record).toMatchObject({ disposition: "failed", failureStatus: 482, dialled: "5000" });
    expect(atEast.map((r) => r.caller)).toEqual(["2001", "2001"]);
    expect(atWest).toHaveLength(1);
  });
});

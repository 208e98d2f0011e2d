/**
 * Forking and the PBX features built on it (RFC 3261 §16.5–§16.7 target sets, serial
 * and parallel; RFC 5806 Diversion on forwarded calls), with sipp phones registered
 * over UDP and a sipp caller. Each test has its own extensions, since bindings outlive
 * a test. Ring times are the schema's minimum (5 s), so the serial cases take 5–10 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALL_CONFIG, extensionPlan, startCallNode, type CallNode } from "./support/call-node.js";
import { branchOf, requestsIn, statusesFor } from "./support/sip-calls.js";
import { headerParam, headerValue, headerValues } from "./support/sip-text.js";
import type { SippRun } from "./support/sipp.js";
import { callWithSipp, password, registerPhone, startUas, type Uas } from "./support/sipp-phone.js";
import { testDirectory } from "./support/test-directory.js";

const ANSWER = "uas-answer-expect-invite-ack-bye.xml";
const RING = "uas-ring-expect-cancel-then-487.xml";
const BUSY = "uas-busy-expect-invite-486-ack.xml";
const CALL = "uac-invite-auth-expect-180-200-then-bye.xml";
const FAIL = "uac-invite-auth-expect-failure.xml";

const FEATURES = `features:
  "2002": { forwardBusy: "2003" }
  "2004": { forwardNoAnswer: "2005", noAnswerSeconds: 5 }
  "2010": { forwardUnregistered: "2011" }
  "2012": { dnd: true }
  "2013": { dnd: true, forwardBusy: "2014" }
`;
const GROUPS = "  sales:\n    members: [\"2020\", \"2021\", \"2022\"]\n    strategy: serial\n    ringSeconds: 5";
const RULES = "      - { match: \"3000\", name: sales, group: sales }";
const EXTENSIONS = ["2001", "2002", "2003", "2004", "2005", "2010", "2011", "2012", "2013", "2014", "2020", "2021", "2022", "2030"];

const ok = (run: SippRun) => expect(run.code, run.summary).toBe(0);
const heard = (run: SippRun, method: string) => statusesFor(run.messages, method).filter((s, i, all) => s !== 100 && s !== all[i - 1]);
const callIdOf = (run: SippRun) => headerValue(run.messages[0]!, "Call-ID")!;
const inviteAt = (run: SippRun) => {
  const invites = requestsIn(run.messages, "INVITE");
  expect(invites, run.summary).toHaveLength(1);
  return invites[0]!;
};

let node: CallNode;

beforeAll(async () => {
  node = await startCallNode({
    yaml: CALL_CONFIG + FEATURES,
    plan: extensionPlan({ groups: GROUPS, rules: RULES }),
    directory: testDirectory(EXTENSIONS.map((extension) => ({ extension, password: password(extension) }))),
  });
});
afterAll(async () => {
  await node?.stop();
});

async function phone(extension: string, scenario: string, timeoutSeconds = 15): Promise<Uas> {
  const udp = node.endpoint("UDP");
  return startUas(scenario, await registerPhone(udp, extension), udp, { timeoutSeconds });
}

function call(callee: string, scenario = CALL, timeoutSeconds = 15): Promise<SippRun> {
  return callWithSipp({ scenario, node: node.endpoint("UDP"), caller: "2001", callee, timeoutSeconds });
}

/** The RFC 5806 Diversion a forwarded INVITE carries: who forwarded, why, how often. */
function diversionOf(run: SippRun) {
  const values = headerValues(inviteAt(run), "Diversion");
  expect(values, "Diversion header fields").toHaveLength(1);
  const value = values[0]!;
  return { uri: /<([^>]*)>/.exec(value)?.[1], reason: headerParam(value, "reason"), counter: headerParam(value, "counter") };
}

describe("call forwarding (RFC 5806 Diversion)", () => {
  it("MUST forward on busy: the phone's 486 is not sent upstream, the forward target's 200 is, and its INVITE carries Diversion reason=user-busy", async () => {
    const busy = await phone("2002", BUSY);
    const forward = await phone("2003", ANSWER);
    const caller = await call("2002");
    const [atBusy, atForward] = await Promise.all([busy.done, forward.done]);
    ok(caller);
    ok(atBusy);
    ok(atForward);

    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(diversionOf(atForward)).toEqual({ uri: "sip:2002@strowger.local", reason: "user-busy", counter: "1" });
    // The first target got the call without a Diversion.
    expect(headerValues(inviteAt(atBusy), "Diversion")).toEqual([]);
    // §16.7 step 2/5: the 486 of a step that was followed by another is absorbed.
    expect(statusesFor(caller.messages, "INVITE")).not.toContain(486);
    only(requestsIn(atForward.messages, "BYE"));
    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "answered", dialled: "2002" });
    expect(record!.target).toContain("2003");
  });

  it("MUST forward on no answer after noAnswerSeconds: CANCEL to the ringing phone, 200 from the forward target with Diversion reason=no-answer", async () => {
    const ringing = await phone("2004", RING);
    const forward = await phone("2005", ANSWER);
    const started = Date.now();
    const caller = await call("2004");
    const elapsed = Date.now() - started;
    const [atRinging, atForward] = await Promise.all([ringing.done, forward.done]);
    ok(caller);
    ok(atRinging);
    ok(atForward);

    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(elapsed).toBeGreaterThanOrEqual(5_000);
    expect(requestsIn(atRinging.messages, "CANCEL")).toHaveLength(1);
    expect(diversionOf(atForward)).toEqual({ uri: "sip:2004@strowger.local", reason: "no-answer", counter: "1" });
    // The cancelled branch's 487 stays at the node: the caller got the call answered.
    expect(statusesFor(caller.messages, "INVITE")).not.toContain(487);
    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "answered", dialled: "2004" });
    expect(record!.target).toContain("2005");
  }, 30_000);

  it("MUST forward a user with no registered phone to forwardUnregistered, with Diversion reason=unavailable", async () => {
    const forward = await phone("2011", ANSWER);
    const caller = await call("2010");
    const atForward = await forward.done;
    ok(caller);
    ok(atForward);

    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(diversionOf(atForward)).toEqual({ uri: "sip:2010@strowger.local", reason: "unavailable", counter: "1" });
    expect((await node.recordsOf(callIdOf(caller)))[0]).toMatchObject({ disposition: "answered", dialled: "2010" });
  });

  it("MUST answer a user on do-not-disturb with 480 (RFC 3261 §21.4.18: the callee \"has activated the 'do not disturb' feature\"), ringing none of its phones", async () => {
    // 2012 has a binding but nothing listens there: an INVITE sent to it would end in 408 after Timer B, not in an answer at once.
    await registerPhone(node.endpoint("UDP"), "2012");
    const caller = await call("2012", FAIL);
    ok(caller);
    expect(heard(caller, "INVITE")).toEqual([407, 480]);
    expect((await node.recordsOf(callIdOf(caller)))[0]).toMatchObject({ disposition: "no-answer", dialled: "2012", failureStatus: 480 });
  });

  it("MUST send a do-not-disturb user's calls to forwardBusy, with Diversion reason=do-not-disturb", async () => {
    const forward = await phone("2014", ANSWER);
    const caller = await call("2013");
    const atForward = await forward.done;
    ok(caller);
    ok(atForward);
    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(diversionOf(atForward)).toEqual({ uri: "sip:2013@strowger.local", reason: "do-not-disturb", counter: "1" });
  });
});

describe("hunt groups and parallel forking (RFC 3261 §16.5, §16.7)", () => {
  it("MUST ring a serial group's members in turn, ringSeconds each, cancelling each before the next, until one answers", async () => {
    const first = await phone("2020", RING, 30);
    const second = await phone("2021", RING, 30);
    const third = await phone("2022", ANSWER, 30);
    const started = Date.now();
    const caller = await call("3000", CALL, 30);
    const elapsed = Date.now() - started;
    const [atFirst, atSecond, atThird] = await Promise.all([first.done, second.done, third.done]);
    ok(caller);
    ok(atFirst);
    ok(atSecond);
    ok(atThird);

    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    // Two members rang their full 5 s before the third answered.
    expect(elapsed).toBeGreaterThanOrEqual(10_000);
    expect(elapsed).toBeLessThan(20_000);
    for (const member of [atFirst, atSecond]) expect(requestsIn(member.messages, "CANCEL"), member.summary).toHaveLength(1);
    expect(requestsIn(atThird.messages, "CANCEL")).toEqual([]);
    const [record] = await node.recordsOf(callIdOf(caller));
    expect(record).toMatchObject({ disposition: "answered", dialled: "3000" });
    expect(record!.target).toContain("2022");
  }, 40_000);

  it("MUST fork in parallel to every contact of a user, and CANCEL the others once one answers (§16.7 step 10)", async () => {
    const udp = node.endpoint("UDP");
    const answerPort = await registerPhone(udp, "2030");
    const ringPort = await registerPhone(udp, "2030");
    expect(await node.node.stateStore.getBindings("sip:2030@strowger.local")).toHaveLength(2);
    const answering = await startUas(ANSWER, answerPort, udp);
    const ringing = await startUas(RING, ringPort, udp);
    const caller = await call("2030");
    const [atAnswering, atRinging] = await Promise.all([answering.done, ringing.done]);
    ok(caller);
    ok(atAnswering);
    ok(atRinging);

    const [one, two] = [inviteAt(atAnswering), inviteAt(atRinging)];
    expect(headerValue(one, "Call-ID")).toBe(headerValue(two, "Call-ID"));
    // Two branches of one request: two client transactions (§16.6 step 8).
    expect(branchOf(headerValue(one, "Via"))).not.toBe(branchOf(headerValue(two, "Via")));
    expect(requestsIn(atRinging.messages, "CANCEL")).toHaveLength(1);
    expect(requestsIn(atAnswering.messages, "CANCEL")).toEqual([]);
    // One 200 upstream, and no 487 from the cancelled branch.
    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    only(requestsIn(atAnswering.messages, "BYE"));
  });
});

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}

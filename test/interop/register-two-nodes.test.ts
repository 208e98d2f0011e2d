/**
 * Two nodes on one real redis-server: what one registers and learns about a user,
 * the other sees at once (ARCHITECTURE.md: bindings, nonce counts and failure
 * counts live in the shared store; nonces are stateless, HMAC'd under a secret the
 * store holds once for both).
 *
 * The peer is sipp, with the test as its 3PCC twin for the digest (see
 * support/sipp-twin.ts). For the cases that cross nodes within one call, sipp's
 * setdest action sends the next REGISTER to the other node from the same UDP
 * socket, as a phone that fails over to its second proxy would; no raw peer is
 * needed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { LOOPBACK_CONFIG, startTestNode, type TestNode } from "./support/in-process-node.js";
import { headerValues } from "./support/sip-text.js";
import { received, type TracedMessage } from "./support/sipp-message-log.js";
import { answerWith, commandChallenges, registerWithSipp, type Credentials, type SippRegisterRun } from "./support/sipp-register.js";
import { readChallenges } from "./support/digest-client.js";
import { TEST_REALM, testDirectory } from "./support/test-directory.js";

const password = (extension: string) => `brass-kettle-${extension}`;
const right = (extension: string): Credentials => ({ username: extension, password: password(extension) });
const aor = (extension: string) => `sip:${extension}@${TEST_REALM}`;
const statuses = (run: SippRegisterRun) => received(run.messages).map((r) => r.status);
const challengesOf = (response: TracedMessage | undefined) => readChallenges(response ? headerValues(response, "WWW-Authenticate") : []);
const ok = (run: SippRegisterRun) => expect(run.code, run.summary).toBe(0);

let redis: RedisServer;
let a: TestNode;
let b: TestNode;

const nodeYaml = (name: string) =>
  LOOPBACK_CONFIG + `node:\n  name: ${name}\n` + "auth:\n  failures: { perUser: 3, windowSeconds: 60, blockSeconds: 60, perSource: 100 }\n";

beforeAll(async () => {
  redis = await startRedisServer();
  const directory = testDirectory(["2001", "2002", "2003", "2004", "2005"].map((extension) => ({ extension, password: password(extension) })));
  a = await startTestNode({ yaml: nodeYaml("a"), directory, redisUrl: redis.url });
  b = await startTestNode({ yaml: nodeYaml("b"), directory, redisUrl: redis.url });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await redis?.stop();
});

/** sipp's SIP to node A; the scenarios that cross over are told node B's UDP address. */
function viaA(scenario: string, extension: string, credentials: Credentials, transport: "UDP" | "TCP" = "UDP"): Promise<SippRegisterRun> {
  const toB = b.endpoint("UDP");
  return registerWithSipp({
    scenario,
    remote: a.endpoint(transport),
    transport: transport === "UDP" ? "u1" : "t1",
    user: extension,
    authorize: answerWith(credentials),
    extraArgs: ["-key", "node_b_ip", toB.address, "-key", "node_b_port", String(toB.port)],
  });
}

describe("two nodes sharing one redis-server", () => {
  it.each(["UDP", "TCP"] as const)(
    "MUST show a registration made through node A on node B at once, carrying A's name (the node holding the flow), over %s",
    async (transport) => {
      const extension = transport === "UDP" ? "2001" : "2002";
      const run = await viaA("uac-register-digest-expect-401-then-200.xml", extension, right(extension), transport);
      ok(run);
      // No wait: the 200 is sent after the store has the binding.
      const bindings = await b.node.stateStore.getBindings(aor(extension));
      expect(bindings).toHaveLength(1);
      expect(bindings[0]!.node).toBe("a");
      expect(bindings[0]!.source.transport).toBe(transport);
      if (transport === "TCP") expect(bindings[0]!.source.connectionId).toBeDefined();
    },
  );

  it("MUST accept at node B the answer to a challenge node A issued (one nonce secret for both)", async () => {
    const extension = "2003";
    const before = { a: a.node.counters().messagesIn.UDP, b: b.node.counters().messagesIn.UDP };
    const run = await viaA("uac-register-challenged-by-a-answer-b-expect-200.xml", extension, right(extension));
    ok(run);
    expect(statuses(run)).toEqual([401, 200]);
    // One REGISTER each: the challenge came from A, the 200 from B.
    expect(a.node.counters().messagesIn.UDP - before.a).toBe(1);
    expect(b.node.counters().messagesIn.UDP - before.b).toBe(1);
    const bindings = await a.node.stateStore.getBindings(aor(extension));
    expect(bindings.map((x) => x.node)).toEqual(["b"]);
  });

  it("MUST treat a nonce count used at node A as a replay at node B: 401 stale=true (RFC 7616 §3.4)", async () => {
    const extension = "2004";
    const run = await viaA("uac-register-at-a-replay-at-b-expect-200-then-401.xml", extension, right(extension));
    ok(run);
    expect(statuses(run)).toEqual([401, 200, 401]);
    const used = commandChallenges(run.commands[0]!).map((c) => c.nonce);
    const again = challengesOf(received(run.messages)[2]);
    expect(again.map((c) => c.stale)).toEqual([true, true]);
    for (const c of again) expect(used).not.toContain(c.nonce);
  });

  it("MUST refuse at node B, with 403 even for the right password, a user blocked by failures made through node A", async () => {
    const extension = "2005";
    const wrong = { username: extension, password: "guess" };
    const expected = [
      ["uac-register-digest-expect-401-then-401.xml", [401, 401]],
      ["uac-register-digest-expect-401-then-401.xml", [401, 401]],
      ["uac-register-digest-expect-401-then-403.xml", [401, 403]],
    ] as const;
    for (const [scenario, answers] of expected) {
      const run = await viaA(scenario, extension, wrong);
      ok(run);
      expect(statuses(run)).toEqual(answers);
    }
    expect(await b.node.stateStore.blockedUntil(`user:${extension}`)).toBeGreaterThan(Date.now());

    const atB = await registerWithSipp({
      scenario: "uac-register-digest-expect-401-then-403.xml",
      remote: b.endpoint("UDP"),
      transport: "u1",
      user: extension,
      authorize: answerWith(right(extension)),
    });
    ok(atB);
    expect(statuses(atB)).toEqual([401, 403]);
    expect(await b.node.stateStore.getBindings(aor(extension))).toEqual([]);
  });
});

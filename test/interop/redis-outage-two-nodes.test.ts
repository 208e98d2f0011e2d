/**
 * The pair while Redis is stopped: a phone registered through node A before the
 * outage is reached by a call through node B during it, B having read every AOR's
 * bindings from Redis (`state.lastKnownRefreshSeconds`, 1 s here) before it went.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { untilHealth } from "../../src/state/state-store.contract-support.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startPair, type CallNode } from "./support/call-node.js";
import { pollUntil } from "./support/poll.js";
import { statusesFor } from "./support/sip-calls.js";
import { headerValue } from "./support/sip-text.js";
import type { SippRun } from "./support/sipp.js";
import { callWithSipp, password, registerPhone, startUas } from "./support/sipp-phone.js";
import { testDirectory } from "./support/test-directory.js";

const ok = (run: SippRun) => expect(run.code, run.summary).toBe(0);
const heard = (run: SippRun, method: string) => statusesFor(run.messages, method).filter((s, i, all) => s !== 100 && s !== all[i - 1]);

let redis: RedisServer;
let a: CallNode;
let b: CallNode;

beforeAll(async () => {
  redis = await startRedisServer();
  const directory = testDirectory(["2001", "2002"].map((extension) => ({ extension, password: password(extension) })));
  ({ a, b } = await startPair({ directory, redisUrl: redis.url, yaml: "state:\n  lastKnownRefreshSeconds: 1\n" }));
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await redis?.stop();
});

describe("a pair whose Redis stops", () => {
  it("MUST reach, through node B, a phone registered through node A before the outage", async () => {
    const atA = a.endpoint("UDP");
    const atB = b.endpoint("UDP");
    const callee = await startUas("uas-answer-expect-invite-ack-bye.xml", await registerPhone(atA, "2002"), atA);
    // Node B has read the binding in one of its refreshes.
    await pollUntil(
      async () => /^strowger_state_known_aors [1-9]/m.test(await b.node.metrics.registry.getSingleMetricAsString("strowger_state_known_aors")) || undefined,
      5_000,
      "node B to know the phone registered through node A",
    );
    await redis.pause();
    await untilHealth(b.node.stateStore, "unreachable");

    const caller = await callWithSipp({ scenario: "uac-invite-auth-expect-180-200-then-bye.xml", node: atB, caller: "2001", callee: "2002" });
    ok(caller);
    ok(await callee.done);
    expect(heard(caller, "INVITE")).toEqual([407, 180, 200]);
    expect(heard(caller, "BYE")).toEqual([200]);

    await redis.resume();
    await untilHealth(b.node.stateStore, "ready");
    const [record] = await b.recordsOf(headerValue(caller.messages[0]!, "Call-ID")!, 1, 10_000);
    expect(record).toMatchObject({ disposition: "answered", caller: "2001", dialled: "2002", node: "b" });
  });
});

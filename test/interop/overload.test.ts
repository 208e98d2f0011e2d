/**
 * Overload protection with sipp as the phone: while the node's event loop runs far
 * behind (here made so by a test that hogs it, as a burst of work would), a new
 * REGISTER gets 503 with Retry-After (RFC 3261 §21.5.4) and an OPTIONS ping is still
 * answered; once the loop catches up, registrations are challenged again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOOPBACK_CONFIG, startTestNode, type TestNode } from "./support/in-process-node.js";
import { pollUntil } from "./support/poll.js";
import { headerValue } from "./support/sip-text.js";
import { runSipp } from "./support/sipp.js";
import { received } from "./support/sipp-message-log.js";

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode(`${LOOPBACK_CONFIG}  overload: { maxLagMs: 100, retryAfterSeconds: 42 }\n`);
});
afterAll(async () => {
  await node?.stop();
});

/** Keeps the event loop busy 300 ms in every 350 ms, until stopped. */
function hogEventLoop(): () => void {
  const timer = setInterval(() => {
    const until = Date.now() + 300;
    while (Date.now() < until);
  }, 50);
  return () => clearInterval(timer);
}

const register = () =>
  runSipp({ scenario: "uac-register-expect-503.xml", remote: node.endpoint("UDP"), transport: "u1", extraArgs: ["-key", "user", "2001", "-key", "domain", "strowger.test"] });

describe("an overloaded node", () => {
  it("MUST refuse a new REGISTER with 503 and Retry-After, and still answer OPTIONS, while its event loop lags (RFC 3261 §21.5.4)", async () => {
    const stop = hogEventLoop();
    try {
      await pollUntil(async () => node.node.overloaded || undefined, 10_000, "the node to notice its lag");
      const [refused, pinged] = await Promise.all([
        register(),
        runSipp({ scenario: "uac-options-expect-200.xml", remote: node.endpoint("UDP"), transport: "u1" }),
      ]);
      expect(refused.code, refused.summary).toBe(0);
      const answer = received(refused.messages).find((m) => m.status === 503)!;
      expect(headerValue(answer, "Retry-After")).toBe("42");
      expect(pinged.code, pinged.summary).toBe(0);
    } finally {
      stop();
    }
    await pollUntil(async () => !node.node.overloaded || undefined, 10_000, "the node to catch up");
  });
});

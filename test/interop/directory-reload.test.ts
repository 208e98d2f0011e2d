/**
 * Reloading the directory (SIGHUP, or an admin's import) swaps the users in whole and
 * keeps every registration: bindings live in the state store, not in the directory.
 */
import { Registerer, type Core } from "sip.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "./support/in-process-node.js";
import { startUserAgent, type TestUserAgent } from "./support/sipjs-user-agent.js";
import { testDirectory } from "./support/test-directory.js";
import { withTimeout } from "./support/wait.js";

const AOR = "sip:2001@strowger.local";
let node: TestNode;
let agent: TestUserAgent;

let registerer: Registerer;

/** One REGISTER (refresh) from the same phone; the registerer lives for the suite (dispose() unregisters). */
async function register(): Promise<number> {
  const answered = new Promise<Core.IncomingResponse>((resolve, reject) => {
    registerer.register({ requestDelegate: { onAccept: resolve, onReject: resolve } }).catch(reject);
  });
  return (await withTimeout(answered, 5_000, "the answer to REGISTER")).message.statusCode ?? 0;
}

beforeAll(async () => {
  node = await startTestNode({ directory: testDirectory([{ extension: "2001", password: "first password" }]) });
  const ws = node.endpoint("WS");
  agent = await startUserAgent(`ws://${ws.address}:${ws.port}`, AOR, 5_000, { username: "2001", password: "first password" });
  registerer = new Registerer(agent.ua, { expires: 600 });
});
afterAll(async () => {
  await registerer?.dispose();
  await agent?.stop();
  await node?.stop();
});

describe("directory reload", () => {
  it("MUST keep every registration when the directory is reloaded, and authenticate against the new one", async () => {
    expect(await register()).toBe(200);
    node.node.replaceDirectory(testDirectory([{ extension: "2001", password: "second password" }, { extension: "2002", password: "another password" }]));
    expect(await node.node.stateStore.getBindings(AOR)).toHaveLength(1);
    // The old password no longer works; the registration it made is still there.
    expect(await register()).toBe(401);
    expect(await node.node.stateStore.getBindings(AOR)).toHaveLength(1);
  });
});

/**
 * A node whose config names Redis Sentinel (issue: "Sentinel settings accepted"): it
 * finds the master through a real redis-sentinel, and registrations land there.
 */
import { Registerer, type Core } from "sip.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisSentinel, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { LOOPBACK_CONFIG, startTestNode, type TestNode } from "./support/in-process-node.js";
import { startUserAgent } from "./support/sipjs-user-agent.js";
import { TEST_REALM, testDirectory } from "./support/test-directory.js";
import { withTimeout } from "./support/wait.js";

let master: RedisServer;
let sentinel: RedisServer;
let node: TestNode;

beforeAll(async () => {
  master = await startRedisServer();
  sentinel = await startRedisSentinel("strowger", master.port);
  node = await startTestNode({
    yaml: `${LOOPBACK_CONFIG}state:\n  sentinel:\n    name: strowger\n    sentinels: [{ host: 127.0.0.1, port: ${sentinel.port} }]\n`,
    directory: testDirectory([{ extension: "2001", password: "sentinel-password" }]),
  });
});
afterAll(async () => {
  await Promise.allSettled([node?.stop()]);
  await Promise.allSettled([sentinel?.stop(), master?.stop()]);
});

describe("Redis through Sentinel", () => {
  it("MUST keep registrations on the master the sentinel names", async () => {
    expect(node.node.stateStore.health()).toMatchObject({ backend: "redis", state: "ready" });
    expect(node.node.stateStore.health().target).toContain("sentinel strowger");
    const ws = node.endpoint("WS");
    const phone = await startUserAgent(`ws://${ws.address}:${ws.port}`, `sip:2001@${TEST_REALM}`, 5_000, { username: "2001", password: "sentinel-password" });
    const registerer = new Registerer(phone.ua, { expires: 600 });
    try {
      const accepted = new Promise<Core.IncomingResponse>((resolve, reject) => {
        registerer.register({ requestDelegate: { onAccept: resolve, onReject: (r) => reject(new Error(`refused: ${r.message.statusCode}`)) } }).catch(reject);
      });
      expect((await withTimeout(accepted, 5_000, "the 200 to REGISTER")).message.statusCode).toBe(200);
      expect(await node.node.stateStore.getBindings(`sip:2001@${TEST_REALM}`)).toHaveLength(1);
    } finally {
      await Promise.allSettled([phone.stop()]);
    }
  });
});

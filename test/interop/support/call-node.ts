/**
 * A node that routes calls: started like in-process-node.ts (loopback, free ports,
 * silent log unless STROWGER_TEST_LOG is set), with a dialplan parsed from inline
 * YAML, so a call test states the plan it relies on next to its assertions.
 *
 * The config challenges MD5 first (`auth.algorithms: [MD5, SHA-256]`): sipp 3.6.1
 * computes MD5 only and reads the first challenge (see sipp-twin.ts), and the
 * callers in these tests are sipp and SIP.js.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateYaml } from "../../../src/config/load-yaml.js";
import { NodeConfigSchema } from "../../../src/config/node-config-schema.js";
import { parseDialplan } from "../../../src/dialplan/index.js";
import { createLogger } from "../../../src/log/logger.js";
import type { Directory } from "../../../src/pbx/directory/directory.js";
import { StrowgerNode } from "../../../src/server/strowger-node.js";
import type { CallRecord } from "../../../src/state/index.js";
import { LOOPBACK_CONFIG, type TestNode } from "./in-process-node.js";
import { pollUntil } from "./poll.js";

/** Loopback listeners, metrics off (not under test here), MD5 challenged first. */
export const CALL_CONFIG = LOOPBACK_CONFIG + "metrics:\n  enabled: false\nauth:\n  algorithms: [MD5, SHA-256]\n";

/**
 * The smallest plan that routes internal calls: staff (the test directory's class)
 * dial four-digit extensions. `groups` adds hunt groups (YAML indented under
 * `groups:`) and `rules` more rules for staff (YAML list items), tried before the
 * extension rule.
 */
export function extensionPlan(options: { readonly groups?: string; readonly rules?: string } = {}): string {
  return [
    "emergency:",
    "  target: { trunk: pstn }",
    ...(options.groups ? ["groups:", options.groups] : []),
    "contexts:",
    "  staff:",
    "    rules:",
    ...(options.rules ? [options.rules] : []),
    '      - { match: _2XXX, name: extensions, user: "{dialled}" }',
    "",
  ].join("\n");
}

export interface CallNodeOptions {
  /** The node's YAML; CALL_CONFIG by default. */
  readonly yaml?: string;
  /** The dialplan's YAML; extensionPlan() by default. */
  readonly plan?: string;
  readonly directory: Directory;
  readonly redisUrl?: string;
  /** SIP on this port (UDP and TCP; WS on port + 6), for nodes that must name each other's port in their config; free ports by default. */
  readonly port?: number;
}

export interface CallNode extends TestNode {
  /** The call records with this Call-ID, once there are `count` of them (bounded wait: they are written after the final response goes out). */
  recordsOf(callId: string, count?: number, timeoutMs?: number): Promise<CallRecord[]>;
}

export async function startCallNode(options: CallNodeOptions): Promise<CallNode> {
  const config = validateYaml(NodeConfigSchema, options.yaml ?? CALL_CONFIG, "test.yaml");
  const log = createLogger((process.env.STROWGER_TEST_LOG ?? "silent") as Parameters<typeof createLogger>[0]);
  const node = await StrowgerNode.start({
    config,
    configDir: mkdtempSync(join(tmpdir(), "strowger-node-")),
    directory: options.directory,
    // No known names: the plan's references are not checked against the test's few users.
    dialplan: parseDialplan(options.plan ?? extensionPlan(), "test-plan.yaml", {}),
    log,
    port: options.port ?? 0,
    ...(options.redisUrl !== undefined && { redisUrl: options.redisUrl }),
  });
  const recordsOf = async (callId: string) => (await node.stateStore.callRecords()).filter((r) => r.callId === callId);
  return {
    node,
    endpoint(transport, family = 4) {
      const wanted = family === 4 ? config.sip.addresses.find((a) => a.startsWith("127.")) ?? "127.0.0.1" : "::1";
      const found = node.listening().find((l) => l.transport === transport && l.address === wanted);
      if (!found) throw new Error(`the node has no ${transport} listener on ${wanted}: ${JSON.stringify(node.listening())}`);
      return found;
    },
    stop: () => node.stop(),
    recordsOf: (callId, count = 1, timeoutMs = 3_000) =>
      pollUntil(
        async () => {
          const records = await recordsOf(callId);
          return records.length >= count ? records : undefined;
        },
        timeoutMs,
        `${count} call record(s) for Call-ID ${callId}`,
      ),
  };
}

/** Two nodes, "a" and "b", of the cluster "pair" on one Redis; `yaml` is added to each node's config. */
export async function startPair(options: { readonly directory: Directory; readonly redisUrl: string; readonly yaml?: string }): Promise<{ a: CallNode; b: CallNode }> {
  const yaml = (name: string) => CALL_CONFIG + `node:\n  name: ${name}\ncluster:\n  name: pair\n` + (options.yaml ?? "");
  const a = await startCallNode({ yaml: yaml("a"), directory: options.directory, redisUrl: options.redisUrl });
  try {
    return { a, b: await startCallNode({ yaml: yaml("b"), directory: options.directory, redisUrl: options.redisUrl }) };
  } catch (err) {
    await a.stop();
    throw err;
  }
}

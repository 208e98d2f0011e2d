/**
 * A Strowger node started in the test's own process on loopback only, every
 * transport on a port the kernel picks, so suites can run side by side and never
 * touch a real PBX's 5060.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateYaml } from "../../../src/config/load-yaml.js";
import { NodeConfigSchema } from "../../../src/config/node-config-schema.js";
import { createLogger } from "../../../src/log/logger.js";
import { Directory } from "../../../src/pbx/directory/directory.js";
import { StrowgerNode } from "../../../src/server/strowger-node.js";
import type { LocalEndpoint, TransportName } from "../../../src/sip/transport/index.js";

/** The YAML a test node starts from: the schema's defaults, on loopback. */
export const LOOPBACK_CONFIG = 'sip:\n  addresses: ["127.0.0.1", "::1"]\n';

export type Family = 4 | 6;

export interface TestNode {
  readonly node: StrowgerNode;
  /** The node's listener for a transport on the IPv4 or IPv6 loopback. */
  endpoint(transport: TransportName, family?: Family): LocalEndpoint;
  stop(): Promise<void>;
}

export interface TestNodeOptions {
  readonly yaml?: string;
  /** The users; none by default (REGISTER is then always refused). */
  readonly directory?: Directory;
  /** A real redis-server's URL (test/support/redis-server.ts); memory state without it. */
  readonly redisUrl?: string;
  /** The config folder (relative paths in the YAML, e.g. TLS files, are read from it); a fresh temp folder by default. */
  readonly configDir?: string;
}

export async function startTestNode(options: TestNodeOptions | string = {}): Promise<TestNode> {
  const { yaml = LOOPBACK_CONFIG, directory, redisUrl, configDir } = typeof options === "string" ? { yaml: options } : options;
  const config = validateYaml(NodeConfigSchema, yaml, "test");
  // STROWGER_TEST_LOG=debug shows the node's log while a test is being debugged.
  const log = createLogger((process.env.STROWGER_TEST_LOG ?? "silent") as Parameters<typeof createLogger>[0]);
  const node = await StrowgerNode.start({
    config,
    // A folder of its own: a node without Redis writes its call records under it.
    configDir: configDir ?? mkdtempSync(join(tmpdir(), "strowger-node-")),
    directory: directory ?? new Directory(config.node.domain, [], []),
    log,
    port: 0,
    ...(redisUrl !== undefined && { redisUrl }),
  });
  return {
    node,
    endpoint(transport, family = 4) {
      const wanted = family === 4 ? "127.0.0.1" : "::1";
      const found = node.listening().find((l) => l.transport === transport && l.address === wanted);
      if (!found) throw new Error(`the node has no ${transport} listener on ${wanted}: ${JSON.stringify(node.listening())}`);
      return found;
    },
    stop: () => node.stop(),
  };
}

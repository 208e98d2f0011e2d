import { loadConfig } from "../server/load-config.js";
import { createLogger } from "../log/logger.js";
import { StrowgerNode } from "../server/strowger-node.js";

/** `strowger start`: run a node until SIGTERM or SIGINT, then stop cleanly. */
export async function startCommand(options: { configDir: string; port?: number }): Promise<number> {
  const config = await loadConfig(options.configDir);
  const log = createLogger(config.node.log.level, undefined, { node: config.node.node.name });
  const node = await StrowgerNode.start({ config: config.node, configDir: config.dir, log, port: options.port });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  await node.stop();
  log.info("stopped");
  return 0;
}

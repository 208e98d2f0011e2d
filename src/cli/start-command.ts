import { loadConfig } from "../server/load-config.js";
import { loadDirectoryOffThread } from "../server/load-directory-off-thread.js";
import { createLogger } from "../log/logger.js";
import { StrowgerNode } from "../server/strowger-node.js";

/**
 * `strowger start`: run a node until SIGTERM or SIGINT, then stop cleanly. SIGHUP
 * reloads users.yaml and the dialplan (registrations are kept: they live in the
 * state store; calls in flight keep their plan); a bad file is refused and what
 * runs stays in force.
 */
export async function startCommand(options: { configDir: string; port?: number; redisUrl?: string; name?: string }): Promise<number> {
  const loaded = await loadConfig(options.configDir);
  // --name: both nodes of a pair can run on one config folder (kept in git), each with its own name.
  const config = options.name === undefined ? loaded : { ...loaded, node: { ...loaded.node, node: { ...loaded.node.node, name: options.name } } };
  const log = createLogger(config.node.log.level, undefined, { node: config.node.node.name });
  const node = await StrowgerNode.start({
    config: config.node,
    configDir: config.dir,
    directory: config.directory,
    ...(config.dialplan && { dialplan: config.dialplan }),
    log,
    ...(options.port !== undefined && { port: options.port }),
    ...(options.redisUrl !== undefined && { redisUrl: options.redisUrl }),
  });
  // Reloads run one after another, so the last SIGHUP's files are the ones in force;
  // users.yaml is read in a worker thread, so calls go on being answered meanwhile.
  let reloading = Promise.resolve();
  let stopping = false;
  const reload = () => {
    reloading = reloading
      .then(() => loadConfig(options.configDir, loadDirectoryOffThread))
      .then(
        (next) => {
          if (!stopping) node.replaceDirectory(next.directory, next.dialplan);
        },
        (err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, "reload refused; the running directory stays in force"),
      )
      .catch((err: unknown) => log.error({ err }, "reload failed (a bug: please report it with this line)"));
  };
  process.on("SIGHUP", reload);
  // A promise a request left rejected is a bug met by that request alone: it is logged
  // loudly, with its stack, and the node goes on serving every other call. (An
  // uncaught exception still ends the process: its state is no longer to be trusted,
  // and the pair's other node takes the phones.)
  const unexpected = (err: unknown) => log.error({ err }, "unhandled rejection (a bug: please report it with this line)");
  process.on("unhandledRejection", unexpected);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  process.off("SIGHUP", reload);
  process.off("unhandledRejection", unexpected);
  stopping = true;
  await node.stop();
  log.info("stopped");
  return 0;
}

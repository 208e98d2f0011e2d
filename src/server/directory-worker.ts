/**
 * A worker thread's entry (load-directory-off-thread.ts): reads and checks users.yaml
 * away from the node's event loop, and posts back the users, or the problems found.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ConfigError } from "../config/config-error.js";
import { loadDirectory } from "../pbx/directory/load-directory.js";
import type { DirectoryMessage, DirectoryRequest } from "./load-directory-off-thread.js";

const { configDir, domain } = workerData as DirectoryRequest;
const post = (message: DirectoryMessage): void => parentPort!.postMessage(message);
loadDirectory(configDir, domain).then(
  (directory) => post({ kind: "loaded", realm: directory.realm, organisations: directory.organisations, users: [...directory.users()] }),
  (err: unknown) =>
    post(err instanceof ConfigError ? { kind: "refused", code: err.code, problems: err.problems } : { kind: "failed", message: err instanceof Error ? err.message : String(err) }),
);

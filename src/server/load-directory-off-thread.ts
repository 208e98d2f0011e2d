/**
 * Loading users.yaml for a reload without stopping the node: a county's 10,000 users
 * are a 2.6 MB file that takes the YAML parser and the checks 1.5–2.5 s, and on the
 * event loop that is as long in which no call is answered (test/interop/cli.test.ts
 * measured 2.4 s; under 50 ms this way). A worker thread reads and checks it
 * (directory-worker.ts, the same `loadDirectory` as at start); the event loop only
 * takes the users from its message and indexes them.
 */
import { Worker } from "node:worker_threads";
import { ConfigError, type ConfigErrorCode, type ConfigProblem } from "../config/config-error.js";
import { deepFreeze } from "../config/load-yaml.js";
import { Directory } from "../pbx/directory/directory.js";
import type { User } from "../pbx/directory/directory-schema.js";

export interface DirectoryRequest {
  readonly configDir: string;
  readonly domain: string;
}

/** What the worker posts back: the users, the problems with the file, or an error of its own. */
export type DirectoryMessage =
  | { readonly kind: "loaded"; readonly realm: string; readonly organisations: readonly string[]; readonly users: readonly User[] }
  | { readonly kind: "refused"; readonly code: ConfigErrorCode; readonly problems: readonly ConfigProblem[] }
  | { readonly kind: "failed"; readonly message: string };

/** Ten times what 10,000 users take: a file that takes longer is not one a node should wait for. */
const LOAD_TIMEOUT_MS = 30_000;

/**
 * As `loadDirectory`, in a worker thread; needs the built JavaScript (dist/), as
 * `strowger start` runs. The worker does not keep a stopping process alive.
 */
export function loadDirectoryOffThread(configDir: string, domain: string, timeoutMs = LOAD_TIMEOUT_MS): Promise<Directory> {
  const request: DirectoryRequest = { configDir, domain };
  const worker = new Worker(new URL("./directory-worker.js", import.meta.url), { workerData: request });
  worker.unref();
  return new Promise<Directory>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`reading the users took longer than ${timeoutMs / 1000} s (is users.yaml a regular file?)`));
      void worker.terminate();
    }, timeoutMs).unref();
    worker.once("message", (message: DirectoryMessage) => {
      clearTimeout(timer);
      if (message.kind === "loaded") resolve(new Directory(message.realm, deepFreeze(message.organisations), deepFreeze(message.users)));
      else if (message.kind === "refused") reject(new ConfigError(message.code, message.problems));
      else reject(new Error(`reading the users in a worker thread failed: ${message.message}`));
    });
    worker.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    worker.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker thread reading the users exited (code ${code}) before it answered`));
    });
  });
}

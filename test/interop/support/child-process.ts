/**
 * Running a real peer (sipp, the built CLI) as a child process: its exit is the
 * verdict, so the helper waits for the exit itself, bounded by a deadline after
 * which the child is killed (by its own pid) and the run reported as timed out.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { withTimeout } from "./wait.js";

export interface Exit {
  /** null when the child was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Keep only the end of a chatty peer's output: enough to explain a failure. */
const KEEP = 16_384;

export interface Running {
  readonly child: ChildProcess;
  /** Output so far (tail), for waiting on log lines and for failure messages. */
  stdout(): string;
  stderr(): string;
  /**
   * Resolves with what `found` reads from stdout as soon as it reads something;
   * rejects if the child exits first or the deadline passes.
   */
  waitForStdout<T>(found: (stdout: string) => T | undefined, timeoutMs: number, what: string): Promise<T>;
  /** Resolves on exit, or kills the child at the deadline and resolves with `timedOut`. */
  exited(timeoutMs: number): Promise<Exit>;
}

export function start(command: string, args: readonly string[], options: SpawnOptions = {}): Running {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out = (out + chunk).slice(-KEEP)));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err = (err + chunk).slice(-KEEP)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", reject);
    // "close" rather than "exit": the pipes are drained, so the output is complete.
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStdout(found, timeoutMs, what) {
      return withTimeout(
        new Promise((resolve, reject) => {
          const check = () => {
            const value = found(out);
            if (value === undefined) return;
            child.stdout?.off("data", check);
            resolve(value);
          };
          child.stdout?.on("data", check);
          child.once("close", (code) => reject(new Error(`exited (code ${code}) before ${what}; stderr: ${err}`)));
          check();
        }),
        timeoutMs,
        what,
      );
    },
    async exited(timeoutMs) {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, timeoutMs);
      try {
        const { code, signal } = await exit;
        return { code, signal, timedOut, stdout: out, stderr: err };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export function run(command: string, args: readonly string[], timeoutMs: number, options: SpawnOptions = {}): Promise<Exit> {
  return start(command, args, options).exited(timeoutMs);
}

/**
 * Running sipp against a node: one scenario, a number of calls, every socket on
 * loopback (SIP on a free `-p`, control and media on the loopback address too),
 * and the message log read back so that a test can check what sipp received.
 * sipp's exit code is its verdict: 0 when every call went as the scenario says.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, type Exit } from "./child-process.js";
import { freePort } from "./free-port.js";
import { parseSippMessageLog, type TracedMessage } from "./sipp-message-log.js";

export const SCENARIOS = join(import.meta.dirname, "../scenarios");
export const SIPP = process.env.SIPP ?? "sipp";

export interface SippOptions {
  /** A file in test/interop/scenarios. */
  readonly scenario: string;
  readonly remote: { readonly address: string; readonly port: number };
  /** u1: UDP, one socket; t1: TCP, one connection. */
  readonly transport: "u1" | "t1";
  readonly calls?: number;
  readonly extraArgs?: readonly string[];
  /** sipp's own global timeout; the process is killed a little after it. */
  readonly timeoutSeconds?: number;
}

export interface SippRun extends Exit {
  readonly messages: TracedMessage[];
  /** Command line and output tail, for assertion messages. */
  readonly summary: string;
}

const hostPort = (address: string, port: number) => (address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`);

export async function runSipp(options: SippOptions): Promise<SippRun> {
  const local = options.remote.address.includes(":") ? "::1" : "127.0.0.1";
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  const dir = await mkdtemp(join(tmpdir(), "strowger-sipp-"));
  const messageFile = join(dir, "messages.log");
  const args = [
    hostPort(options.remote.address, options.remote.port),
    "-sf", join(SCENARIOS, options.scenario),
    "-t", options.transport,
    "-m", String(options.calls ?? 1),
    // Own SIP socket on loopback, on a free port (sipp would try 5060 first).
    "-i", local, "-p", String(await freePort(local)),
    // Control and RTP sockets on loopback too; sipp finds free ports for them
    // itself when their port is left at its default.
    "-ci", local, "-mi", local,
    "-nostdin",
    "-trace_msg", "-message_file", messageFile, "-max_log_size", "1048576",
    "-timeout", String(timeoutSeconds), "-timeout_error",
    ...(options.extraArgs ?? []),
  ];
  try {
    // sipp writes nothing but the message log here; its cwd is the temp folder anyway.
    const exit = await run(SIPP, args, (timeoutSeconds + 5) * 1000, { cwd: dir });
    const log = await readFile(messageFile, "latin1").catch(() => "");
    const summary = `${SIPP} ${args.join(" ")}\nexit ${exit.code ?? exit.signal}${exit.timedOut ? " (killed at deadline)" : ""}\n${exit.stdout.slice(-3000)}\n${exit.stderr.slice(-2000)}`;
    return { ...exit, messages: parseSippMessageLog(log), summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

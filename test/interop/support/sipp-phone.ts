/**
 * Phones played by sipp for call tests: a phone registers from a UDP port of its
 * own (sipp's own MD5 digest, so the node must challenge MD5 first; or, with
 * `digest: "twin"`, the test's SHA-256 digest through sipp's 3PCC twin), then a sipp
 * UAS binds that same port and plays the callee's side of one call, so the node
 * reaches it where the REGISTER came from. A caller is another sipp run, which
 * answers the node's 407 with `-au/-ap` and a digest uri equal to its Request-URI
 * (RFC 7616 §3.4.6, checked by the node).
 */
import { readFile } from "node:fs/promises";
import { freePort } from "./free-port.js";
import { pollUntil } from "./poll.js";
import { runSipp, type SippRun } from "./sipp.js";
import { answerWith, registerWithSipp } from "./sipp-register.js";
import { TEST_REALM } from "./test-directory.js";

export interface Remote {
  readonly address: string;
  readonly port: number;
}

export const password = (extension: string) => `brass-kettle-${extension}`;

/** `-p` given last wins over the free port runSipp picks itself. */
const atPort = (port: number) => ["-p", String(port)];

/**
 * Registers `extension` (password `password(extension)`) from `port` (a free one by
 * default) over UDP; returns the port. `digest: "sipp"` (the default) needs a node
 * that challenges MD5 first; `"twin"` answers the node's first challenge, SHA-256 by default.
 */
export async function registerPhone(node: Remote, extension: string, options: { port?: number; digest?: "sipp" | "twin" } = {}): Promise<number> {
  const local = options.port ?? (await freePort());
  const run =
    options.digest === "twin"
      ? await registerWithSipp({
          scenario: "uac-register-digest-expect-401-then-200.xml",
          remote: node,
          transport: "u1",
          user: extension,
          authorize: answerWith({ username: extension, password: password(extension) }),
          extraArgs: atPort(local),
        })
      : await runSipp({
          scenario: "uac-register-sipp-digest-expect-401-then-200.xml",
          remote: node,
          transport: "u1",
          extraArgs: [
            ...atPort(local),
            "-key", "user", extension,
            "-key", "domain", TEST_REALM,
            "-key", "expires", "3600",
            "-au", extension, "-ap", password(extension), "-auth_uri", TEST_REALM,
          ],
        });
  if (run.code !== 0) throw new Error(`${extension} did not register:\n${run.summary}`);
  return local;
}

/** True once some process has a UDP socket bound to `port` (read from /proc, without touching the port). */
async function udpBound(port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const table of ["/proc/net/udp", "/proc/net/udp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    if (text.split("\n").some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex))) return true;
  }
  return false;
}

export interface Uas {
  /** The UAS's exit and message log, once its call is over. */
  readonly done: Promise<SippRun>;
}

/**
 * A sipp UAS on `port` (UDP) for one call of `scenario`; resolves once its socket
 * is bound, so an INVITE sent after that reaches it. `remote` only fills sipp's
 * command line: a UAS answers where requests come from.
 */
export async function startUas(scenario: string, port: number, remote: Remote, options: { timeoutSeconds?: number; extraArgs?: readonly string[] } = {}): Promise<Uas> {
  let exited: SippRun | undefined;
  const done = runSipp({
    scenario,
    remote,
    transport: "u1",
    timeoutSeconds: options.timeoutSeconds ?? 15,
    extraArgs: [...atPort(port), ...(options.extraArgs ?? [])],
  }).then((run) => (exited = run));
  await pollUntil(
    async () => {
      if (exited) throw new Error(`the UAS exited before it was listening:\n${exited.summary}`);
      return (await udpBound(port)) || undefined;
    },
    5_000,
    `sipp ${scenario} to bind UDP port ${port}`,
  );
  return { done };
}

export interface CallOptions {
  readonly scenario: string;
  readonly node: Remote;
  readonly caller: string;
  readonly callee: string;
  readonly transport?: "u1" | "t1";
  readonly timeoutSeconds?: number;
  readonly extraArgs?: readonly string[];
}

/** A caller run by sipp, answering the node's 407 as `caller` (keys caller, callee, domain). */
export function callWithSipp(options: CallOptions): Promise<SippRun> {
  return runSipp({
    scenario: options.scenario,
    remote: options.node,
    transport: options.transport ?? "u1",
    timeoutSeconds: options.timeoutSeconds ?? 15,
    extraArgs: [
      "-key", "caller", options.caller,
      "-key", "callee", options.callee,
      "-key", "domain", TEST_REALM,
      "-au", options.caller, "-ap", password(options.caller),
      "-auth_uri", `${options.callee}@${TEST_REALM}`,
      ...(options.extraArgs ?? []),
    ],
  });
}

/**
 * baresip (Debian's baresip-core, v1.0.0 on libre 1.1.0) as a real softphone,
 * headless: a config directory of its own in a temporary folder, holding only
 * what SIP registration needs.
 *
 *   config    sip_listen on loopback, a free port; one module, account.so, which
 *             reads the accounts file (the default config would load stdio.so,
 *             which wants a terminal on stdin, and alsa.so, which wants a sound
 *             card: neither takes part in registering)
 *   accounts  one line: the AOR, auth_pass, the node as outbound proxy, regint
 *
 * baresip runs with stdin closed and `-s`, so its stdout carries the SIP trace and
 * its `reg:` lines. On SIGTERM it removes its binding (a REGISTER with
 * expires=0) and exits.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start, type Exit, type Running } from "./child-process.js";
import { freePort } from "./free-port.js";

export const BARESIP = process.env.BARESIP ?? "baresip";
const MODULE_PATH = process.env.BARESIP_MODULES ?? "/usr/lib/baresip/modules";

export interface BaresipAccount {
  readonly user: string;
  readonly password: string;
  readonly domain: string;
  readonly transport: "udp" | "tcp";
  /** The node's listener, used as outbound proxy. */
  readonly proxy: { readonly address: string; readonly port: number };
  /** Registration interval in seconds, sent as the Contact's expires. */
  readonly regint?: number;
}

export interface Baresip {
  readonly process: Running;
  /** baresip's own SIP address (UDP and TCP). */
  readonly listen: { readonly address: string; readonly port: number };
  /** SIGTERM, then the exit (killed at the deadline); removes the config directory. */
  stop(timeoutMs?: number): Promise<Exit>;
}

export async function startBaresip(account: BaresipAccount): Promise<Baresip> {
  const address = "127.0.0.1";
  const port = await freePort(address);
  const dir = await mkdtemp(join(tmpdir(), "strowger-baresip-"));
  await writeFile(
    join(dir, "config"),
    [`poll_method\tepoll`, `sip_listen\t${address}:${port}`, `module_path\t${MODULE_PATH}`, `module_tmp\taccount.so`, ""].join("\n"),
  );
  const outbound = `sip:${account.proxy.address}:${account.proxy.port};transport=${account.transport}`;
  await writeFile(
    join(dir, "accounts"),
    `<sip:${account.user}@${account.domain};transport=${account.transport}>;auth_pass=${account.password};outbound="${outbound}";regint=${account.regint ?? 600}\n`,
  );
  const running = start(BARESIP, ["-f", dir, "-s"], { cwd: dir });
  let stopped: Promise<Exit> | undefined;
  return {
    process: running,
    listen: { address, port },
    stop(timeoutMs = 10_000) {
      stopped ??= (async () => {
        running.child.kill("SIGTERM");
        try {
          return await running.exited(timeoutMs);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })();
      return stopped;
    },
  };
}

/** baresip's `reg:` error line for the account, if it has logged one ("Register: Function not implemented"). */
export function registrationError(stdout: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- baresip colours its error lines
  return /reg: [^\n]*?: ([^\n\x1b]+)/.exec(stdout)?.[1]?.trim();
}

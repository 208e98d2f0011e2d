/**
 * The built `strowger` command as an admin runs it: `start` serves SIP until
 * SIGTERM and then exits 0, `check` judges a config folder by its exit code and
 * says file, line and setting for a bad one, `--help` prints the usage.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStateStore, dialogId } from "../../src/state/index.js";
import { startRedisServer } from "../support/redis-server.js";
import { assertBuilt, logLines, REPO, runCli, startCli } from "./support/cli.js";
import { freePort } from "./support/free-port.js";
import { runSipp } from "./support/sipp.js";

let dir: string;
beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), "strowger-cli-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The sample config folder, with its one change for a test: the sample listens on
 * every address, and tests listen on loopback only.
 */
async function sampleConfigOnLoopback(): Promise<string> {
  const sample = await readFile(join(REPO, "config/strowger.yaml"), "utf8");
  const loopback = sample.replace(/^(\s*addresses:).*$/m, '$1 ["127.0.0.1", "::1"]');
  if (loopback === sample) throw new Error("config/strowger.yaml has no sip.addresses line to point at loopback");
  const folder = join(dir, "sample");
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "strowger.yaml"), loopback);
  return folder;
}

describe("strowger start", () => {
  it("serves OPTIONS over UDP on --port and exits 0 on SIGTERM", async () => {
    // --port N puts WebSocket on N+6 and metrics on N+9; all must be free.
    const port = await freePort("127.0.0.1", [6, 9]);
    const cli = startCli(["start", "--config", await sampleConfigOnLoopback(), "--port", String(port), "--name", "cli-node"]);
    try {
      // One "listening" line per listener: UDP, TCP and WS on each loopback address.
      const listening = await cli.waitForStdout(
        (out) => {
          const lines = logLines(out).filter((l) => l.msg === "listening");
          return lines.length >= 6 ? lines : undefined;
        },
        10_000,
        "six listening log lines",
      );
      // --name overrides node.name: every line says which node wrote it.
      expect(new Set(listening.map((l) => l.node))).toEqual(new Set(["cli-node"]));
      expect(listening.map((l) => `${l.transport} ${l.address} ${l.port}`).sort()).toEqual(
        ["TCP", "UDP", "WS"].flatMap((t) => ["127.0.0.1", "::1"].map((a) => `${t} ${a} ${t === "WS" ? port + 6 : port}`)).sort(),
      );

      const sipp = await runSipp({ scenario: "uac-options-expect-200.xml", remote: { address: "127.0.0.1", port }, transport: "u1", calls: 2 });
      expect(sipp.code, sipp.summary).toBe(0);

      cli.child.kill("SIGTERM");
      // First the node says it stopped, then the process must be gone: a process
      // that lingers after "stopped" holds a supervisor's restart for nothing.
      await cli.waitForStdout((out) => (logLines(out).some((l) => l.msg === "stopped") || undefined), 5_000, 'the "stopped" log line');
      const exit = await cli.exited(5_000);
      expect(exit.timedOut, `logged "stopped" but was still running 5 s after SIGTERM\n${exit.stderr}`).toBe(false);
      expect(exit.code, exit.stderr).toBe(0);
    } finally {
      // A failed expectation above must not leave the node running.
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGKILL");
    }
  });
});

describe("strowger check", () => {
  it("exits 0 on the sample config folder", async () => {
    const exit = await runCli(["check", "--config", "config"]);
    expect(exit.code, exit.stderr).toBe(0);
  });

  it("exits 1 naming strowger.yaml:LINE and the setting path for a bad value", async () => {
    const folder = join(dir, "bad");
    await mkdir(folder, { recursive: true });
    // Line 4 holds a port above 65535.
    await writeFile(join(folder, "strowger.yaml"), "node:\n  name: bad-port\nsip:\n  udp: { port: 70000 }\n");

    const exit = await runCli(["check", "--config", folder]);

    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/strowger\.yaml:4: sip\.udp\.port: /);
  });
});

describe("strowger --help", () => {
  it("prints the usage and exits 0", async () => {
    const exit = await runCli(["--help"]);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/^Usage: strowger <command>/);
    expect(exit.stdout).toMatch(/\bstart\b/);
    expect(exit.stdout).toMatch(/\bcheck\b/);
  });
});

describe("strowger calls", () => {
  it("lists the calls in progress from the pair's Redis", async () => {
    const redis = await startRedisServer();
    const store = createStateStore({ redisUrl: redis.url });
    try {
      const now = Date.now();
      await store.putDialog({
        id: dialogId("live-1@192.0.2.1", "a1"),
        callId: "live-1@192.0.2.1",
        fromTag: "a1",
        toTag: "b1",
        caller: "2001",
        dialled: "2002",
        target: "2002 at sip:2002@192.0.2.9",
        route: "extensions",
        startedAt: now - 5_000,
        answeredAt: now - 4_000,
        node: "a",
        expiresAt: now + 60_000,
      });
      const exit = await runCli(["calls", "--redis", redis.url]);
      expect(exit.code, exit.stderr).toBe(0);
      expect(exit.stdout).toContain("1 live call");
      expect(exit.stdout).toMatch(/2001 → 2002 .* node a {2}live-1@192\.0\.2\.1/);
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});

/**
 * The built `strowger` command as an admin runs it: `start` serves SIP until
 * SIGTERM and then exits 0, `check` judges a config folder by its exit code and
 * says file, line and setting for a bad one, `--help` prints the usage.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createSocket } from "node:dgram";
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
async function sampleConfigOnLoopback(name = "sample"): Promise<string> {
  const sample = await readFile(join(REPO, "config/strowger.yaml"), "utf8");
  const loopback = sample.replace(/^(\s*addresses:).*$/m, '$1 ["127.0.0.1", "::1"]');
  if (loopback === sample) throw new Error("config/strowger.yaml has no sip.addresses line to point at loopback");
  const folder = join(dir, name);
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

/** `count` users from extension `first` on, as the CSV an admin imports (`strowger users import`). */
function usersCsv(first: number, count: number): string {
  const rows = Array.from({ length: count }, (_, i) => {
    const extension = first + i;
    return `${extension},+441785${extension},User ${extension},council,stafford,staff,pw-${extension}-strowger`;
  });
  return ["extension,ddi,name,organisation,site,class,password", ...rows, ""].join("\n");
}

/**
 * OPTIONS to the node over UDP every 20 ms from `start()` until `stop()`: the longest
 * wait for an answer says how long the node's event loop was held up meanwhile.
 */
async function optionsPinger(port: number) {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const sent = new Map<number, number>();
  const waits: number[] = [];
  socket.on("message", (data) => {
    const cseq = Number(/^CSeq:\s*(\d+)/im.exec(data.toString("latin1"))?.[1]);
    const at = sent.get(cseq);
    if (at === undefined) return;
    sent.delete(cseq);
    waits.push(performance.now() - at);
  });
  let cseq = 0;
  const ping = () => {
    cseq++;
    const branch = `z9hG4bK-reload-${cseq}`;
    const text = [
      `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${socket.address().port};branch=${branch};rport`,
      "Max-Forwards: 70",
      "From: <sip:pinger@127.0.0.1>;tag=reload",
      `To: <sip:127.0.0.1:${port}>`,
      "Call-ID: reload-pinger",
      `CSeq: ${cseq} OPTIONS`,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    sent.set(cseq, performance.now());
    socket.send(text, port, "127.0.0.1");
  };
  const timer = setInterval(ping, 20);
  return {
    /** Stops pinging, waits for the last answers, and gives the longest wait (ms) and how many never came. */
    async stop(): Promise<{ longestMs: number; unanswered: number; answered: number }> {
      clearInterval(timer);
      await new Promise((resolve) => setTimeout(resolve, 500));
      socket.close();
      return { longestMs: Math.max(...waits), unanswered: sent.size, answered: waits.length };
    },
  };
}

describe("strowger start: SIGHUP reloads the users", () => {
  it("reads 10,000 users in a worker thread while calls go on being answered, and refuses a bad file with its line", async () => {
    const folder = await sampleConfigOnLoopback("reload");
    await writeFile(join(folder, "users.csv"), usersCsv(200_000, 10_000));
    const imported = await runCli(["users", "import", join(folder, "users.csv"), "--config", folder], 60_000);
    expect(imported.code, imported.stderr).toBe(0);
    const port = await freePort("127.0.0.1", [6, 9]);
    const cli = startCli(["start", "--config", folder, "--port", String(port)]);
    try {
      await cli.waitForStdout((out) => (logLines(out).filter((l) => l.msg === "listening").length >= 6 || undefined), 20_000, "the listening log lines");
      // One user more: the reload must read the file afresh.
      await writeFile(join(folder, "more.csv"), usersCsv(210_000, 1));
      expect((await runCli(["users", "import", join(folder, "more.csv"), "--config", folder], 60_000)).code).toBe(0);

      const pinger = await optionsPinger(port);
      await new Promise((resolve) => setTimeout(resolve, 200));
      cli.child.kill("SIGHUP");
      const reloaded = await cli.waitForStdout(
        (out) => logLines(out).find((l) => l.msg === "directory and dialplan reloaded"),
        20_000,
        "the reloaded log line",
      );
      const { longestMs, unanswered, answered } = await pinger.stop();
      expect(reloaded.users).toBe(10_001);
      expect(unanswered).toBe(0);
      expect(answered).toBeGreaterThan(10);
      // Read on the event loop, the same file held every answer up for 2.4 s here.
      expect(longestMs, `the longest OPTIONS round trip during the reload`).toBeLessThan(500);

      // A second user 200000: refused with the file and line, the running directory kept.
      const usersFile = join(folder, "users.yaml");
      const good = await readFile(usersFile, "utf8");
      const firstUser = /^ {2}- extension: "?200000"?\n(?: {4}.*\n)+/m.exec(good)?.[0];
      expect(firstUser, "the first user's block in users.yaml").toBeDefined();
      await writeFile(usersFile, good + firstUser);
      cli.child.kill("SIGHUP");
      const refused = await cli.waitForStdout((out) => logLines(out).find((l) => String(l.msg).startsWith("reload refused")), 20_000, "the refusal");
      expect(String(refused.err)).toMatch(/users\.yaml:\d+: users\.\d+\.extension: extension 200000 is already user 1's/);
    } finally {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGKILL");
    }
  }, 120_000);
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

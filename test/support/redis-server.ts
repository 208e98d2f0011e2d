/**
 * A real redis-server (or Sentinel) for a test suite: on a free loopback port, with its
 * files in a temporary directory, ready when it answers PING, stopped and cleaned up by
 * `stop()`. Nothing is persisted (`--save "" --appendonly no`) unless asked.
 *
 *   const redis = await startRedisServer();
 *   afterAll(() => redis.stop());
 *   new RedisStateStore({ url: redis.url });
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0` */
  readonly url: string;
  /** Stops the server, keeping its port, to test a Redis outage. */
  pause(): Promise<void>;
  /** Starts it again on the same port (empty unless started with `persist`) and waits for PING. */
  resume(): Promise<void>;
  /** Stops the server and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server on a free port. `persist` keeps its data across `pause()` and
 * `resume()` in an append-only file, as a deployed pair's Redis does
 * (docker/compose-pair.yaml); by default nothing is kept.
 */
export async function startRedisServer(options: { readonly persist?: boolean } = {}): Promise<RedisServer> {
  const appendOnly = options.persist === true ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  return startManaged((port, dir) => ["--port", String(port), "--bind", HOST, "--save", "", ...appendOnly, "--dir", dir]);
}

/**
 * Starts a Redis Sentinel that monitors the master at `masterPort` under `name`
 * (quorum 1). Sentinel rewrites its config file, so it gets one in its own directory.
 */
export async function startRedisSentinel(name: string, masterPort: number): Promise<RedisServer> {
  return startManaged(async (port, dir) => {
    const config = join(dir, "sentinel.conf");
    await writeFile(
      config,
      [`port ${port}`, `bind ${HOST}`, `dir ${dir}`, `sentinel monitor ${name} ${HOST} ${masterPort} 1`, `sentinel down-after-milliseconds ${name} 5000`, ""].join("\n"),
    );
    return [config, "--sentinel"];
  });
}

async function startManaged(argsFor: (port: number, dir: string) => string[] | Promise<string[]>): Promise<RedisServer> {
  const binary = findRedisServer();
  const dir = await mkdtemp(join(tmpdir(), "strowger-redis-"));
  let port = 0;
  let args: string[] = [];
  let child: ChildProcess | undefined;
  // A free port can be taken between finding it and redis binding it: try a few.
  for (let attempt = 1; child === undefined; attempt++) {
    port = await freePort();
    args = await argsFor(port, dir);
    try {
      child = await launch(binary, args, port);
    } catch (err) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  let stopped = false;
  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}/0`,
    async pause() {
      if (child !== undefined) await terminate(child);
      child = undefined;
    },
    async resume() {
      if (child === undefined) child = await launch(binary, args, port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child !== undefined) await terminate(child);
      child = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function findRedisServer(): string {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === "") {
    throw new Error("redis-server is not installed: the Redis tests need it (apt-get install redis-server)");
  }
  return path;
}

/** Spawns the server and resolves once it answers PING; rejects (with its output) if it exits first. */
async function launch(binary: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.once("exit", () => (exited = true));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answersPing(port))) {
    if (exited || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server on port ${port} did not answer PING${exited ? " (it exited)" : ""}:\n${output.slice(-2000)}`);
    }
    await delay(20); // poll interval between PING attempts, not a wait for readiness
  }
  return child;
}

/** One PING over a raw socket: true on +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let reply = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("*1\r\n$4\r\nPING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

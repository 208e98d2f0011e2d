/**
 * COUNT free port blocks on 127.0.0.1 for run.sh: each block is SPAN consecutive
 * ports free for both UDP and TCP (a Strowger node takes its port N and N+1, N+6,
 * N+7 for TLS, WS and WSS). Prints the first port of each block, space-separated.
 *
 *   node dist-bench/bench/register-avalanche/free-ports.js [COUNT] [SPAN]
 */
import { createSocket } from "node:dgram";
import { createServer } from "node:net";

const count = Number(process.argv[2] ?? 1);
const span = Number(process.argv[3] ?? 1);

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

async function blockFree(first: number): Promise<boolean> {
  for (let port = first; port < first + span; port++) {
    if (!(await tcpFree(port)) || !(await udpFree(port))) return false;
  }
  return true;
}

const found: number[] = [];
for (let tries = 0; found.length < count && tries < 1000; tries++) {
  const first = 20_000 + 8 * Math.floor(Math.random() * 4_000); // 20000..51999, blocks of 8
  if (found.some((p) => Math.abs(p - first) < Math.max(span, 8))) continue;
  if (await blockFree(first)) found.push(first);
}
if (found.length < count) {
  process.stderr.write("free-ports: no free port block found\n");
  process.exit(1);
}
process.stdout.write(`${found.join(" ")}\n`);

/**
 * A port free for both UDP and TCP on a loopback address, for peers that must be
 * told their own port (sipp binds 5060 unless given `-p`, which would collide with
 * a real PBX or with another test run). The port is released before the peer binds
 * it, so a race is possible, but unlikely below the ephemeral range (candidatePort).
 */
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { isIPv6 } from "node:net";

/**
 * A port below the kernel's ephemeral range. A port listen(0) hands out comes from that
 * range, and so does the source port of every outgoing connection the tests in
 * parallel make (ioredis, sipp, the nodes): one of them can take the port between this
 * check and the peer's bind (seen: baresip's "Address already in use").
 */
function candidatePort(): number {
  const low = 10_000;
  let high = 32_768;
  try {
    high = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || high;
  } catch {
    // not Linux: the IANA dynamic range starts at 49152, above this one
  }
  return low + Math.floor(Math.random() * Math.max(1, Math.min(high, 49_152) - low));
}

function tcpBindable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

function udpBindable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(address) ? "udp6" : "udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, address, () => socket.close(() => resolve(true)));
  });
}

/**
 * A port N free for UDP and TCP, with N + each of `tcpOffsets` free for TCP too:
 * `strowger start --port N` puts WebSocket on N+6 (TLS and WSS, N+1 and N+7, stay
 * off without a certificate).
 */
export async function freePort(address = "127.0.0.1", tcpOffsets: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = candidatePort();
    if (!(await tcpBindable(address, port)) || !(await udpBindable(address, port))) continue;
    let free = true;
    for (const offset of tcpOffsets) free &&= await tcpBindable(address, port + offset);
    if (free) return port;
  }
  throw new Error(`no free port block on ${address} after 50 attempts`);
}

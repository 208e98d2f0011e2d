/**
 * A port free for both UDP and TCP on a loopback address, for peers that must be
 * told their own port (sipp binds 5060 unless given `-p`, which would collide with
 * a real PBX or with another test run). The port is released before the peer binds
 * it, so a race is possible but unlikely on a port the kernel just handed out.
 */
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { isIPv6 } from "node:net";

function tcpFreePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, address, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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
    const port = await tcpFreePort(address);
    if (port + Math.max(0, ...tcpOffsets) > 65535 || !(await udpBindable(address, port))) continue;
    let free = true;
    for (const offset of tcpOffsets) free &&= await tcpBindable(address, port + offset);
    if (free) return port;
  }
  throw new Error(`no free port block on ${address} after 50 attempts`);
}

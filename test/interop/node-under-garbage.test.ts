/**
 * "Bad input gets a clear answer and loses nothing": thousands of mutated RFC 4475
 * messages thrown at a running node over UDP and TCP. It answers what it can, drops
 * and counts the rest, never throws out of a socket handler (vitest fails the run on
 * an unhandled error), and still answers a well-formed OPTIONS afterwards.
 */
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "./support/in-process-node.js";
import { loadTortureManifest, tortureBytes } from "./support/rfc4475-corpus.js";
import { runSipp } from "./support/sipp.js";

const seeds = loadTortureManifest().map(tortureBytes);
let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(() => node?.stop());

/** A seeded PRNG (mulberry32): the same garbage on every run, so a failure can be replayed. */
function prng(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % below);
  };
}

/** SIP's structural octets, the likeliest to confuse a parser: CR, LF, ':', ';', ',', '"', '<', SP. */
const STRUCTURAL = [13, 10, 58, 59, 44, 34, 60, 32];

/** A seed with a few octets flipped, structural octets inserted, or its tail cut. */
function mangle(next: (below: number) => number): Buffer {
  let out = Buffer.from(seeds[next(seeds.length)]!);
  for (let n = 1 + next(4); n > 0; n--) {
    const at = next(Math.max(1, out.length));
    const op = next(3);
    if (op === 0) out[at] = next(256);
    else if (op === 1) out = Buffer.concat([out.subarray(0, at), Buffer.from([STRUCTURAL[next(STRUCTURAL.length)]!]), out.subarray(at)]);
    else out = out.subarray(0, at);
  }
  return out;
}

describe("a node under garbage", () => {
  it("MUST survive 3,000 mangled datagrams and a mangled TCP stream, count them, and still answer OPTIONS", async () => {
    const udp = node.endpoint("UDP");
    const random = prng(4475);
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    for (let i = 0; i < 3000; i++) {
      await new Promise<void>((resolve) => socket.send(mangle(random), udp.port, udp.address, () => resolve()));
    }
    socket.close();

    const tcp = node.endpoint("TCP");
    // Garbage on a stream: the node closes the connection at the first framing error
    // (RFC 4475 §3.1.2.6) or waits for the rest of a message; the test writes it all,
    // half-closes, and stops once the node has closed or the writes are flushed.
    await new Promise<void>((resolve) => {
      const stream = connect(tcp.port, tcp.address, () => {
        for (let i = 0; i < 300; i++) stream.write(mangle(random));
        stream.end(() => {
          stream.destroy();
          resolve();
        });
      });
      stream.on("close", () => resolve());
      stream.on("error", () => resolve());
    });

    const counters = node.node.counters();
    expect(counters.malformed + counters.dropped).toBeGreaterThan(0);
    const run = await runSipp({ scenario: "uac-options-expect-200.xml", remote: udp, transport: "u1", calls: 1 });
    expect(run.code, run.summary).toBe(0);
  });
});

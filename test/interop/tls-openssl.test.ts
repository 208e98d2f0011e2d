/**
 * SIP over TLS (RFC 3261 §26.2, port 5061) from the certificate the config names,
 * with OpenSSL's own client as the peer: the handshake, then an OPTIONS written on
 * the TLS stream and its 200 read back on it.
 */
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../../src/sip/transport/test-support.js";
import { LOOPBACK_CONFIG, startTestNode, type TestNode } from "./support/in-process-node.js";
import { withTimeout } from "./support/wait.js";

let node: TestNode;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "strowger-tls-config-"));
  const { key, cert } = await selfSignedCertificate();
  await writeFile(join(dir, "node.crt"), cert);
  await writeFile(join(dir, "node.key"), key, { mode: 0o600 });
  node = await startTestNode({ yaml: `${LOOPBACK_CONFIG}  tls: { port: 5061, certificate: node.crt, privateKey: node.key }\n`, configDir: dir });
});
afterAll(() => node?.stop());

function options(port: number): string {
  return [
    `OPTIONS sip:127.0.0.1:${port};transport=tls SIP/2.0`,
    "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKopenssl1",
    "Max-Forwards: 70",
    "From: <sip:probe@127.0.0.1>;tag=openssl",
    `To: <sip:127.0.0.1:${port}>`,
    "Call-ID: openssl-probe@127.0.0.1",
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

describe("TLS", () => {
  it("MUST answer an OPTIONS sent by openssl s_client over TLS with 200, on the same connection (RFC 3261 §18.2.2)", async () => {
    const tls = node.endpoint("TLS");
    const client = spawn("openssl", ["s_client", "-connect", `${tls.address}:${tls.port}`, "-quiet", "-no_ign_eof"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const answered = new Promise<string>((resolve, reject) => {
      client.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("latin1");
        if (/\r\n\r\n/.test(out.slice(out.indexOf("SIP/2.0")))) resolve(out);
      });
      client.once("exit", (code) => reject(new Error(`openssl exited (${code}) before an answer: ${out}`)));
    });
    // s_client prints the handshake on stderr; once it is done, the request goes on the stream.
    await withTimeout(
      new Promise<void>((resolve) => client.stderr.on("data", (chunk: Buffer) => /verify|Verification|depth/i.test(chunk.toString()) && resolve())),
      5_000,
      "the TLS handshake",
    );
    client.stdin.write(options(tls.port));
    try {
      const response = await withTimeout(answered, 5_000, "the answer over TLS");
      expect(response).toMatch(/^SIP\/2\.0 200 OK\r\n/m);
      // The Via comes back as sent (its host is the source address, so no received=, §18.2.1).
      expect(response).toMatch(/^Via: SIP\/2\.0\/TLS 127\.0\.0\.1:5999;branch=z9hG4bKopenssl1\r\n/m);
      expect(node.node.counters().messagesIn.TLS).toBe(1);
    } finally {
      client.kill();
    }
  });
});

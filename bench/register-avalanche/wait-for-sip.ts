/**
 * Readiness probe for run.sh: sends a REGISTER without credentials to HOST:PORT
 * over UDP every 200 ms until a final response comes back, then prints its status
 * code (401 is what an authenticating registrar answers) and the digest algorithm
 * sipp 3.6.1 would pick from it (the first algorithm= of all WWW-Authenticate
 * headers, MD5 when absent, "-" without a challenge), and exits 0; exits 1 when
 * nothing answers within TIMEOUT seconds. Registers nothing.
 *
 *   node dist-bench/bench/register-avalanche/wait-for-sip.js HOST PORT USER DOMAIN [TIMEOUT]
 */
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";

const [host = "127.0.0.1", portText = "", user = "", domain = "", timeoutText = "15"] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || user === "" || domain === "") {
  process.stderr.write("usage: wait-for-sip.js HOST PORT USER DOMAIN [TIMEOUT]\n");
  process.exit(2);
}
const callId = `${randomBytes(8).toString("hex")}@probe`;
const socket = createSocket("udp4");
let cseq = 0;

function send(): void {
  cseq++;
  const { port: localPort } = socket.address();
  const lines = [
    `REGISTER sip:${domain} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${randomBytes(6).toString("hex")}`,
    `From: <sip:${user}@${domain}>;tag=${randomBytes(4).toString("hex")}`,
    `To: <sip:${user}@${domain}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    "Max-Forwards: 70",
    `Contact: <sip:${user}@127.0.0.1:${localPort}>`,
    "Expires: 3600",
    "Content-Length: 0",
    "",
    "",
  ];
  socket.send(lines.join("\r\n"), port, host);
}

socket.on("message", (message) => {
  const text = message.toString("latin1");
  const status = /^SIP\/2\.0 (\d{3})/.exec(text);
  if (status === null || status[1]!.startsWith("1")) return;
  // The algorithm sipp 3.6.1 would answer: it joins every WWW-Authenticate and
  // reads the first algorithm= (MD5 when there is none).
  const challenges = text
    .split("\r\n\r\n")[0]!
    .split("\r\n")
    .filter((line) => /^www-authenticate\s*:/i.test(line))
    .join(", ");
  const algorithm = /(?:^|[\s,])algorithm\s*=\s*"?([\w-]+)/i.exec(challenges)?.[1] ?? (challenges === "" ? "-" : "MD5");
  process.stdout.write(`${status[1]} ${algorithm}\n`);
  socket.close();
  process.exit(0);
});
socket.bind(0, "127.0.0.1", () => {
  send();
  const timer = setInterval(send, 200);
  setTimeout(() => {
    clearInterval(timer);
    process.stderr.write(`no SIP answer from ${host}:${port} within ${timeoutText} s\n`);
    process.exit(1);
  }, Number(timeoutText) * 1000);
});

/**
 * Readiness probe for run.sh: sends OPTIONS sip:DOMAIN to HOST:PORT over UDP
 * every 200 ms until a final response comes back, prints its status code and
 * exits 0; exits 1 when nothing answers within TIMEOUT seconds. Changes nothing
 * on the target (unlike a REGISTER, which the Kamailio bench proxy would save).
 *
 *   node dist-bench/bench/call-rate/wait-for-options.js HOST PORT DOMAIN [TIMEOUT]
 */
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";

const [host = "127.0.0.1", portText = "", domain = "", timeoutText = "15"] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || domain === "") {
  process.stderr.write("usage: wait-for-options.js HOST PORT DOMAIN [TIMEOUT]\n");
  process.exit(2);
}
const callId = `${randomBytes(8).toString("hex")}@probe`;
const tag = randomBytes(4).toString("hex");
const socket = createSocket("udp4");
let cseq = 0;

function send(): void {
  cseq++;
  const { port: localPort } = socket.address();
  const lines = [
    `OPTIONS sip:${domain} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${randomBytes(6).toString("hex")}`,
    `From: <sip:probe@${domain}>;tag=${tag}`,
    `To: <sip:${domain}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} OPTIONS`,
    "Max-Forwards: 70",
    `Contact: <sip:probe@127.0.0.1:${localPort}>`,
    "Accept: application/sdp",
    "Content-Length: 0",
    "",
    "",
  ];
  socket.send(lines.join("\r\n"), port, host);
}

socket.on("message", (message) => {
  const status = /^SIP\/2\.0 (\d{3})/.exec(message.toString("latin1"));
  if (status === null || status[1]!.startsWith("1")) return;
  process.stdout.write(`${status[1]}\n`);
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

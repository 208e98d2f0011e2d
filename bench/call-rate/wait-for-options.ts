/**
 * Readiness probe for run.sh: sends OPTIONS sip:DOMAIN to HOST:PORT over UDP
 * every 200 ms until a final response comes back, prints its status code and
 * exits 0; exits 1 when nothing answers within TIMEOUT seconds. Changes nothing
 * on the target (unlike a REGISTER, which the Kamailio bench proxy would save).
 *
 *   node dist-bench/bench/call-rate/wait-for-options.js HOST PORT DOMAIN [TIMEOUT]
 */
import { probe, statusOf } from "../lib/sip-probe.js";

const [host = "127.0.0.1", portText = "", domain = "", timeoutText = "15"] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || domain === "") {
  process.stderr.write("usage: wait-for-options.js HOST PORT DOMAIN [TIMEOUT]\n");
  process.exit(2);
}
probe(host, port, { method: "OPTIONS", user: "probe", domain, extra: ["Accept: application/sdp"] }, Number(timeoutText), (response) => {
  process.stdout.write(`${statusOf(response)}\n`);
});

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
import { probe, statusOf } from "../lib/sip-probe.js";

const [host = "127.0.0.1", portText = "", user = "", domain = "", timeoutText = "15"] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || user === "" || domain === "") {
  process.stderr.write("usage: wait-for-sip.js HOST PORT USER DOMAIN [TIMEOUT]\n");
  process.exit(2);
}
probe(host, port, { method: "REGISTER", user, domain, extra: ["Expires: 3600"] }, Number(timeoutText), (response) => {
  // The algorithm sipp 3.6.1 would answer: it joins every WWW-Authenticate and
  // reads the first algorithm= (MD5 when there is none).
  const challenges = response
    .split("\r\n\r\n")[0]!
    .split("\r\n")
    .filter((line) => /^www-authenticate\s*:/i.test(line))
    .join(", ");
  const algorithm = /(?:^|[\s,])algorithm\s*=\s*"?([\w-]+)/i.exec(challenges)?.[1] ?? (challenges === "" ? "-" : "MD5");
  process.stdout.write(`${statusOf(response)} ${algorithm}\n`);
});

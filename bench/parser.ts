/**
 * Parser throughput on one core: parse, and parse + serialize, of a REGISTER with
 * Authorization and an INVITE with SDP. Prints one JSON line a workload.
 * Run: npm run bench:parser
 */
import sip from "sip";
import { parseMessage, serialize } from "../src/sip/message/index.js";
import { INVITE_WITH_SDP, REGISTER_WITH_AUTH } from "./messages.js";

function rate(label: string, fn: () => void, seconds = 3): void {
  for (let i = 0; i < 50_000; i++) fn(); // warm up the JIT
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const end = performance.now() + (seconds * 1000) / 5;
    while (performance.now() < end) {
      for (let i = 0; i < 1000; i++) fn();
      n += 1000;
    }
    runs.push(n / (seconds / 5));
  }
  runs.sort((a, b) => a - b);
  console.log(JSON.stringify({ workload: label, medianPerSecond: Math.round(runs[2]!), runsPerSecond: runs.map(Math.round) }));
}

const register = Buffer.from(REGISTER_WITH_AUTH);
const invite = Buffer.from(INVITE_WITH_SDP);
let sink = 0;

rate("parse REGISTER with Authorization", () => {
  sink += parseMessage(register).cseq.seq;
});
rate("parse + serialize REGISTER with Authorization", () => {
  sink += serialize(parseMessage(register)).length;
});
rate("parse INVITE with SDP", () => {
  sink += parseMessage(invite).body.length;
});
rate("parse + serialize INVITE with SDP", () => {
  sink += serialize(parseMessage(invite)).length;
});
// The reference in the same run: the `sip` npm package's parser (unmaintained, but
// the fastest JavaScript SIP parser we know), on the same bytes.
rate("reference: sip@0.0.6 parse REGISTER with Authorization", () => {
  sink += sip.parse(register).headers.cseq.seq;
});

if (sink === 42) console.log("");

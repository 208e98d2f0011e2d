/**
 * Percentiles of sipp's response times for run.sh: reads the files that
 * `sipp -trace_rtt` writes (<scenario>_<pid>_rtt.csv: `Date_ms;response_time_ms;rtd_no`,
 * one line a measured rtd) and prints one JSON object:
 *   {"samples":N,"medianMs":…,"p90Ms":…,"p99Ms":…,"maxMs":…,"meanMs":…}
 * Percentiles are nearest-rank (the smallest sample with at least p% of the
 * samples at or below it), in milliseconds with microseconds kept.
 *
 *   node dist-bench/bench/call-rate/rtt-stats.js RTD FILE...
 */
import { readFileSync } from "node:fs";

const [rtdText, ...files] = process.argv.slice(2);
if (rtdText === undefined || files.length === 0) {
  process.stderr.write("usage: rtt-stats.js RTD FILE...\n");
  process.exit(2);
}
const samples: number[] = [];
for (const file of files) {
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [, ms, rtd] = line.trim().split(";");
    if (rtd !== rtdText || ms === undefined) continue; // the header, blank lines, other rtds
    const value = Number(ms);
    if (Number.isFinite(value)) samples.push(value);
  }
}
samples.sort((a, b) => a - b);
const rank = (p: number) => samples[Math.max(0, Math.ceil((p / 100) * samples.length) - 1)] ?? null;
const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
const mean = samples.length === 0 ? null : samples.reduce((s, v) => s + v, 0) / samples.length;
process.stdout.write(
  `${JSON.stringify({
    samples: samples.length,
    medianMs: round(rank(50)),
    p90Ms: round(rank(90)),
    p99Ms: round(rank(99)),
    maxMs: round(samples.at(-1) ?? null),
    meanMs: round(mean),
  })}\n`,
);

/**
 * sipp's injection file (-inf) for uac-register-auth-expect-401-then-200.xml from
 * a directory CSV: `SEQUENTIAL`, then one user a line,
 *   extension;domain;password;[authentication username=extension password=password]
 * sipp 3.6.1 does not expand [field0] inside [authentication ...], so the keyword
 * is written out per user (field3) and the scenario sends [field3].
 *
 *   node dist-bench/bench/register-avalanche/make-injection-file.js users.csv DOMAIN [FIRST] [COUNT] > users.inf
 *
 * FIRST (0-based, default 0) and COUNT (default all) take a slice, so that
 * successive sipp runs can use users not registered before.
 */
import { readUsersCsv } from "./users-csv.js";

const [csvFile, domain, firstText = "0", countText] = process.argv.slice(2);
if (csvFile === undefined || domain === undefined) {
  process.stderr.write("usage: make-injection-file.js users.csv DOMAIN [FIRST] [COUNT]\n");
  process.exit(2);
}
const first = Number(firstText);
const users = readUsersCsv(csvFile);
const slice = users.slice(first, countText === undefined ? undefined : first + Number(countText));
const lines = ["SEQUENTIAL"];
for (const { extension, password } of slice) {
  if (/[;\]\s]/.test(password)) throw new Error(`password of ${extension} holds ';', ']' or a space, which sipp's keyword cannot carry`);
  lines.push(`${extension};${domain};${password};[authentication username=${extension} password=${password}]`);
}
process.stdout.write(`${lines.join("\n")}\n`);

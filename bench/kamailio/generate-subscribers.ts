/**
 * Kamailio's user data for bench/kamailio/kamailio.cfg from a directory CSV: a
 * db_text folder holding the `htable` table that the htable module loads into
 * shared memory at start (key = user, value = HA1 = MD5(user:realm:password),
 * as Strowger stores it), and the `version` table db_text wants beside it.
 *
 *   node dist-bench/bench/kamailio/generate-subscribers.js users.csv REALM OUT_DIR
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readUsersCsv } from "../register-avalanche/users-csv.js";

const [csvFile, realm, outDir] = process.argv.slice(2);
if (csvFile === undefined || realm === undefined || outDir === undefined) {
  process.stderr.write("usage: generate-subscribers.js users.csv REALM OUT_DIR\n");
  process.exit(2);
}
const users = readUsersCsv(csvFile);
// db_text: a header of typed columns, then rows with ':' between fields.
// htable's row: key_name, key_type (0 = plain key), value_type (0 = string), key_value, expires (0 = never).
const rows = ["id(int,auto) key_name(string) key_type(int) value_type(int) key_value(string) expires(int)"];
users.forEach(({ extension, password }, i) => {
  if (/[:\\\n]/.test(extension)) throw new Error(`extension "${extension}" holds a character db_text would need escaped`);
  const ha1 = createHash("md5").update(`${extension}:${realm}:${password}`).digest("hex");
  rows.push(`${i + 1}:${extension}:0:0:${ha1}:0`);
});
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "htable"), `${rows.join("\n")}\n`);
writeFileSync(join(outDir, "version"), "table_name(string) table_version(int)\nhtable:2\n");
process.stderr.write(`${users.length} users written to ${join(outDir, "htable")}\n`);

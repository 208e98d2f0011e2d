/**
 * A directory of users with known passwords, made the way `strowger users import`
 * makes one (HA1 digests from a CSV), for tests that register real peers.
 */
import { formatCsvRow } from "../../../src/pbx/directory/csv.js";
import { Directory } from "../../../src/pbx/directory/directory.js";
import { IMPORT_HEADER, readUsersCsv } from "../../../src/pbx/directory/import-users.js";

export const TEST_REALM = "strowger.local";

export interface TestUser {
  readonly extension: string;
  readonly password: string;
}

export function testDirectory(users: readonly TestUser[], realm = TEST_REALM): Directory {
  const csv = [
    formatCsvRow([...IMPORT_HEADER]),
    ...users.map((u) => formatCsvRow([u.extension, "", `User ${u.extension}`, "council", "stafford", "staff", u.password])),
  ].join("\n");
  const { users: parsed, problems } = readUsersCsv(csv, "test.csv", realm);
  if (problems.length > 0) throw new Error(`bad test users: ${JSON.stringify(problems)}`);
  return new Directory(realm, ["council"], parsed);
}

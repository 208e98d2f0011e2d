/**
 * `strowger users import FILE.csv [--config DIR]`: merge a CSV of users into
 * users.yaml (see src/pbx/directory/import-users.ts). Nothing is written unless
 * every row and the merged directory pass.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { ConfigError } from "../config/config-error.js";
import { loadNodeConfig } from "../server/load-config.js";
import { readConfigFile } from "../config/load-yaml.js";
import { DirectorySchema, type DirectoryFile } from "../pbx/directory/directory-schema.js";
import { mergeUsers, readUsersCsv } from "../pbx/directory/import-users.js";
import { checkDirectory, parseDirectory, USERS_FILE } from "../pbx/directory/load-directory.js";
import { formatDirectory, writeFileAtomically } from "../pbx/directory/write-directory.js";

export async function usersImportCommand(options: { configDir: string; csvFile: string }): Promise<number> {
  // Only the node settings: the users are what is being changed, and the dialplan is
  // checked against them by `strowger check` afterwards.
  const config = await loadNodeConfig(options.configDir);
  const realm = config.node.node.domain;
  const csvFile = resolve(options.csvFile);
  const usersFile = join(config.dir, USERS_FILE);
  const previousText = existsSync(usersFile) ? await readConfigFile(usersFile) : undefined;
  const existing = previousText === undefined ? undefined : parseDirectory(previousText, usersFile, realm);

  const progress = (done: number, total: number) => process.stderr.write(`\rchecked ${done} of ${total} rows`);
  const { users, lines, problems } = readUsersCsv(await readFile(csvFile, "utf8"), csvFile, realm, progress);
  process.stderr.write("\n");
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", problems.slice(0, 50));

  const merged: DirectoryFile = {
    realm,
    // The first import names the organisations; later imports must use known ones.
    organisations: existing ? [...existing.organisations] : [...new Set(users.map((u) => u.organisation))],
    users: mergeUsers(existing ? [...existing.users()] : [], users),
  };
  // A problem with an imported user points at its CSV line; with an existing one, at users.yaml.
  const locate = (pointer: string) => {
    const line = lines.get(merged.users[Number(pointer.split("/")[2])]?.extension ?? "");
    return line !== undefined ? { file: csvFile, line } : { file: usersFile, line: 0 };
  };
  const schemaProblems = [...Value.Errors(DirectorySchema, merged)].slice(0, 50);
  if (schemaProblems.length > 0) {
    throw new ConfigError(
      "CONFIG_INVALID",
      schemaProblems.map((e) => ({ ...locate(e.path), path: e.path.slice(1).replace(/\//g, "."), reason: e.message })),
    );
  }
  checkDirectory(merged, locate, realm);
  await writeFileAtomically(usersFile, formatDirectory(merged, previousText));
  process.stdout.write(`${usersFile}: ${users.length} users imported, ${merged.users.length} in the directory\n`);
  return 0;
}

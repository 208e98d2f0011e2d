/**
 * Loading `config/users.yaml`: the schema first, then what a schema cannot say —
 * unique extensions and DDIs, DDIs that are real numbers, known organisations, and
 * digests made for this node's realm. Every problem names file, line and reason.
 */
import { join } from "node:path";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { ConfigError, type ConfigProblem } from "../../config/config-error.js";
import { readConfigFile, validateYamlWithLines, type ValidatedYaml } from "../../config/load-yaml.js";
import { Directory } from "./directory.js";
import { DirectorySchema, type DirectoryFile } from "./directory-schema.js";

export const USERS_FILE = "users.yaml";

/** Where a setting of the directory came from: a line of users.yaml, or of an imported CSV. */
export type Locate = (pointer: string) => { file: string; line: number };

export function checkDirectory(value: DirectoryFile, locate: Locate, domain: string): Directory {
  const problems: ConfigProblem[] = [];
  const problem = (pointer: string, reason: string) =>
    problems.push({ ...locate(pointer), path: pointer.slice(1).replace(/\//g, "."), reason });
  if (value.realm !== domain) {
    problem("/realm", `digests were made for realm "${value.realm}" but node.domain is "${domain}": re-import the users' passwords (strowger users import) or fix node.domain`);
  }
  const extensions = new Map<string, number>();
  const ddis = new Map<string, number>();
  value.users.forEach((user, i) => {
    const first = extensions.get(user.extension);
    if (first !== undefined) problem(`/users/${i}/extension`, `extension ${user.extension} is already user ${first + 1}'s`);
    else extensions.set(user.extension, i);
    if (!value.organisations.includes(user.organisation)) {
      problem(`/users/${i}/organisation`, `unknown organisation "${user.organisation}": add it to organisations or fix the user`);
    }
    if (user.ddi !== undefined) {
      const firstDdi = ddis.get(user.ddi);
      if (firstDdi !== undefined) problem(`/users/${i}/ddi`, `DDI ${user.ddi} is already user ${firstDdi + 1}'s`);
      else ddis.set(user.ddi, i);
      if (!parsePhoneNumberFromString(user.ddi)?.isValid()) problem(`/users/${i}/ddi`, `${user.ddi} is not a valid E.164 number`);
    }
  });
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", problems.slice(0, 50));
  return new Directory(value.realm, value.organisations, value.users);
}

export function yamlLocate(source: ValidatedYaml<unknown>): Locate {
  return (pointer) => ({ file: source.file, line: source.lineOf(pointer) });
}

export function parseDirectory(text: string, file: string, domain: string): Directory {
  const source = validateYamlWithLines(DirectorySchema, text, file);
  return checkDirectory(source.value, yamlLocate(source), domain);
}

export async function loadDirectory(configDir: string, domain: string): Promise<Directory> {
  const file = join(configDir, USERS_FILE);
  return parseDirectory(await readConfigFile(file), file, domain);
}

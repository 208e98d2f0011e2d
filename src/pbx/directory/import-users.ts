/**
 * `strowger users import FILE.csv`: bulk users from a spreadsheet. Passwords are
 * turned into HA1 digests (MD5 and SHA-256, RFC 7616 §3.4.2, RFC 8760) for the
 * node's realm and never written anywhere; rows are merged into users.yaml by
 * extension (a row for an existing extension replaces that user). The whole file
 * is checked first: one bad row refuses the import, with its line and reason, and
 * users.yaml is left as it was.
 */
import { ha1 } from "../../sip/digest/index.js";
import type { ConfigProblem } from "../../config/config-error.js";
import { parseCsv } from "./csv.js";
import type { User } from "./directory-schema.js";

export const IMPORT_HEADER = ["extension", "ddi", "name", "organisation", "site", "class", "password"] as const;

/**
 * Toll fraud starts with guessable SIP passwords: refuse short ones and ones that
 * contain the extension.
 */
export const MIN_PASSWORD_LENGTH = 8;

function passwordProblem(extension: string, password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `password shorter than ${MIN_PASSWORD_LENGTH} characters`;
  if (password.includes(extension) && password.length < extension.length + MIN_PASSWORD_LENGTH) {
    return "password is little more than the extension: choose one that cannot be guessed";
  }
  return undefined;
}

export interface ImportResult {
  readonly users: User[];
  /** The CSV line of each user, by extension, for errors found after the merge. */
  readonly lines: Map<string, number>;
  readonly problems: ConfigProblem[];
}

/** Reads and checks a CSV; `onProgress` is told every 1,000 rows. */
export function readUsersCsv(text: string, file: string, realm: string, onProgress?: (done: number, total: number) => void): ImportResult {
  const rows = parseCsv(text);
  const problems: ConfigProblem[] = [];
  const problem = (line: number, reason: string) => problems.push({ file, line, path: "", reason });
  const header = rows[0]?.fields.map((f) => f.trim().toLowerCase());
  if (!header || header.join(",") !== IMPORT_HEADER.join(",")) {
    problem(rows[0]?.line ?? 1, `the first line must be the header ${IMPORT_HEADER.join(",")}`);
    return { users: [], lines: new Map(), problems };
  }
  const users: User[] = [];
  const lines = new Map<string, number>();
  const total = rows.length - 1;
  for (let r = 1; r < rows.length; r++) {
    const { line, fields } = rows[r]!;
    if (fields.length !== IMPORT_HEADER.length) {
      problem(line, `expected ${IMPORT_HEADER.length} fields, found ${fields.length}`);
      continue;
    }
    const [extension, ddi, name, organisation, site, cls, password] = fields.map((f, i) => (i === 6 ? f : f.trim())) as [
      string, string, string, string, string, string, string,
    ];
    const weak = passwordProblem(extension, password);
    if (weak) problem(line, `${extension}: ${weak}`);
    users.push({
      extension,
      ...(ddi ? { ddi } : {}),
      name,
      organisation,
      site,
      class: cls,
      ha1: { md5: ha1("MD5", extension, realm, password), sha256: ha1("SHA-256", extension, realm, password) },
    });
    lines.set(extension, line);
    if (onProgress && r % 1000 === 0) onProgress(r, total);
  }
  onProgress?.(total, total);
  return { users, lines, problems };
}

/** Existing users, with imported ones replacing those of the same extension, in extension order. */
export function mergeUsers(existing: readonly User[], imported: readonly User[]): User[] {
  const byExtension = new Map(existing.map((u) => [u.extension, u]));
  for (const user of imported) byExtension.set(user.extension, user);
  return [...byExtension.values()].sort((a, b) => a.extension.localeCompare(b.extension, "en", { numeric: true }));
}

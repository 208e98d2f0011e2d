/**
 * Writing users.yaml after an import, keeping the comments an admin wrote above
 * the users list. The result is checked like any loaded file before it replaces
 * the old one (written beside it, then renamed, so a crash leaves one or the other).
 */
import { rename, writeFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { DirectoryFile } from "./directory-schema.js";

export function formatDirectory(file: DirectoryFile, previousText?: string): string {
  const doc = previousText ? parseDocument(previousText) : parseDocument("");
  if (!previousText) {
    doc.commentBefore =
      " Users of the network. Credentials are HA1 digests for `realm`, never passwords.\n" +
      " Add or change users with `strowger users import FILE.csv`; check with `strowger check`.";
  }
  doc.set("realm", file.realm);
  doc.set("organisations", file.organisations);
  doc.set("users", doc.createNode(file.users));
  return doc.toString({ lineWidth: 0 });
}

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  await rename(temp, path);
}

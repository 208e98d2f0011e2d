/**
 * The RFC 4475 torture messages in /work/shared/testdata/rfc4475: the manifest,
 * and each message's bytes as a Buffer, never a string (some hold NUL, bare CR
 * or non-UTF-8 octets, and every line ending must stay as the RFC wrote it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const RFC4475_DIR = join(import.meta.dirname, "../../../../shared/testdata/rfc4475");

export interface TortureMessage {
  readonly name: string;
  readonly section: string;
  readonly kind: "valid" | "invalid" | "valid-but-unusual";
  readonly message_type: "request" | "response";
  readonly title: string;
  readonly file: string;
  readonly expected: string;
}

export function loadTortureManifest(): TortureMessage[] {
  return JSON.parse(readFileSync(join(RFC4475_DIR, "manifest.json"), "utf8")) as TortureMessage[];
}

export function tortureBytes(message: TortureMessage): Buffer {
  return readFileSync(join(RFC4475_DIR, message.file));
}

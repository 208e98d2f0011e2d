import { readFileSync } from "node:fs";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { CallRecord } from "./call-record.js";
import { normalizeCallRecord } from "./normalize-call-record.js";
import { StateError } from "./state-error.js";

/**
 * The memory store's durable copy of its call records: a JSON-lines file, one record a
 * line, in the order they were appended (the format `strowger cdr export --format
 * jsonl` writes). Read whole when the store is made, appended to after: so the records
 * of a one-node install survive a restart of the node.
 *
 * Appends are queued, so lines never interleave and land in call order; each is one
 * `appendFile` (open with O_APPEND, write, close), which is also why rotating the file
 * by renaming it just works: the next append makes a new one. A record is on disk (in
 * the kernel's cache) when `append` resolves; there is no fsync, so a power cut can
 * lose the last few, a crash of the process cannot.
 */
export class CdrFile {
  private queue: Promise<void> = Promise.resolve();
  private folderMade = false;
  /** A crash mid-write can leave a last line with no newline: the next append starts a new line first. */
  private startNewLine = false;

  constructor(readonly path: string) {}

  /**
   * The file's records, and a sentence for each line that is not one (skipped, not
   * fatal: a write cut short by a crash must not stop the node from starting). A
   * missing file holds none. Synchronous: it runs once, when the store is made.
   */
  load(): { records: CallRecord[]; problems: string[] } {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { records: [], problems: [] };
      throw this.failure("read", err);
    }
    this.startNewLine = text.length > 0 && !text.endsWith("\n");
    const records: CallRecord[] = [];
    const problems: string[] = [];
    text.split("\n").forEach((raw, i) => {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        problems.push(`${this.path} line ${i + 1} is not JSON (a write cut short?); skipped`);
        return;
      }
      const record = normalizeCallRecord(value);
      if (typeof record === "string") problems.push(`${this.path} line ${i + 1}: ${record}; skipped`);
      else records.push(record);
    });
    return { records, problems };
  }

  /** Appends one record as one line, after every append before it; makes the folder and the file if missing. */
  append(record: CallRecord): Promise<void> {
    const line = JSON.stringify(record) + "\n";
    const done = this.queue.then(async () => {
      try {
        if (!this.folderMade) await mkdir(dirname(this.path), { recursive: true });
        this.folderMade = true;
        await appendFile(this.path, this.startNewLine ? "\n" + line : line, "utf8");
        this.startNewLine = false;
      } catch (err) {
        throw this.failure("append a call record to", err);
      }
    });
    this.queue = done.catch(() => {}); // one failed append does not stop the next
    return done;
  }

  /** Resolves when every append made so far has finished. */
  flush(): Promise<void> {
    return this.queue;
  }

  private failure(what: string, err: unknown): StateError {
    const message = err instanceof Error ? err.message : String(err);
    return new StateError(
      "STATE_CDR_FILE",
      `could not ${what} the call records file ${this.path}: ${message}. Check that its folder is writable by the node and that the disk has room.`,
      { cause: err },
    );
  }
}

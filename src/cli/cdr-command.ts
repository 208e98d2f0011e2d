/**
 * `strowger cdr export`: the call records whose call ended in [since, until), oldest
 * first, as CSV (RFC 4180, a header row, times in ISO 8601 UTC) or JSON lines (one
 * record a line, times in epoch ms: the format of the memory store's records file, so
 * an export can be read back as one). From the pair's Redis, or from a one-node
 * install's records file; the store is only read.
 */
import { open } from "node:fs/promises";
import { existsSync } from "node:fs";
import { formatCsvRow } from "../pbx/directory/csv.js";
import { createStateStore, MemoryStateStore, StateError, type CallRecord, type StateStore } from "../state/index.js";

export interface CdrExportOptions {
  /** The pair's Redis (`redis://host:port/db`); or */
  readonly redisUrl?: string;
  /** Its key prefix, when not the default `strowger:`. */
  readonly keyPrefix?: string;
  /** a one-node install's records file (JSON lines). */
  readonly cdrFile?: string;
  readonly format: "csv" | "jsonl";
  /** ISO 8601, inclusive: a date (`2025-01-06`, midnight UTC) or a date and time with its zone (`2025-01-06T09:00:00Z`, `…+01:00`). */
  readonly since?: string;
  /** ISO 8601, exclusive, as `since`: `--since 2025-01-01 --until 2025-02-01` is January. */
  readonly until?: string;
  /** A file to write (replaced); standard output when absent. */
  readonly out?: string;
  /** Records read per round trip (default 1000). */
  readonly pageSize?: number;
}

export const CDR_CSV_HEADER = [
  "id",
  "call_id",
  "caller",
  "dialled",
  "target",
  "route",
  "started_at",
  "answered_at",
  "ended_at",
  "disposition",
  "failure_status",
  "node",
  "duration_ms",
] as const;

const DEFAULT_PAGE_SIZE = 1000;

export async function cdrExportCommand(options: CdrExportOptions): Promise<number> {
  const fail = (message: string, code: number): number => {
    process.stderr.write(`strowger: ${message}\n`);
    return code;
  };
  if (options.format !== "csv" && options.format !== "jsonl") return fail(`--format must be csv or jsonl, not "${String(options.format)}"`, 2);
  if ((options.redisUrl === undefined) === (options.cdrFile === undefined)) {
    return fail("cdr export reads either the pair's Redis (--redis URL) or a one-node install's records file (--cdr-file FILE): give one", 2);
  }
  const since = options.since === undefined ? undefined : parseInstant("--since", options.since);
  if (typeof since === "string") return fail(since, 2);
  const until = options.until === undefined ? undefined : parseInstant("--until", options.until);
  if (typeof until === "string") return fail(until, 2);
  if (options.cdrFile !== undefined && !existsSync(options.cdrFile)) return fail(`there is no call records file at ${options.cdrFile}: check the path (the node's cdrFile setting)`, 1);

  let store: StateStore | undefined;
  let output: Output | undefined;
  try {
    if (options.cdrFile !== undefined) {
      const memory = new MemoryStateStore({ cdrFile: options.cdrFile });
      for (const problem of memory.cdrFileProblems) process.stderr.write(`strowger: ${problem}\n`);
      store = memory;
    } else {
      store = createStateStore({ redisUrl: options.redisUrl!, ...(options.keyPrefix !== undefined && { keyPrefix: options.keyPrefix }) });
    }
    output = await openOutput(options.out);
    if (options.format === "csv") await output.write(formatCsvRow(CDR_CSV_HEADER) + "\r\n");
    let count = 0;
    for await (const page of pages(store, since, until, options.pageSize ?? DEFAULT_PAGE_SIZE)) {
      const text = options.format === "csv" ? page.map((r) => formatCsvRow(csvFields(r)) + "\r\n").join("") : page.map((r) => JSON.stringify(r) + "\n").join("");
      await output.write(text);
      count += page.length;
    }
    await output.close();
    output = undefined;
    process.stderr.write(`${count} call records exported${options.out === undefined ? "" : ` to ${options.out}`}\n`);
    return 0;
  } catch (err) {
    if (err instanceof StateError) return fail(err.message, 1);
    if (isFileError(err)) return fail(`could not write ${options.out ?? "the output"}: ${err.message}`, 1);
    throw err;
  } finally {
    await output?.close().catch(() => {});
    await store?.close();
  }
}

/** One record as the CSV's fields, in `CDR_CSV_HEADER` order. */
export function csvFields(record: CallRecord): string[] {
  const time = (ms: number | undefined): string => (ms === undefined ? "" : new Date(ms).toISOString());
  return [
    record.id,
    spreadsheetSafe(record.callId),
    spreadsheetSafe(record.caller),
    spreadsheetSafe(record.dialled),
    spreadsheetSafe(record.target ?? ""),
    spreadsheetSafe(record.route ?? ""),
    time(record.startedAt),
    time(record.answeredAt),
    time(record.endedAt),
    record.disposition,
    record.failureStatus === undefined ? "" : String(record.failureStatus),
    record.node,
    record.durationMs === undefined ? "" : String(record.durationMs),
  ];
}

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection": a caller ID of
 * `=HYPERLINK(…)` set by an outside caller) gets a leading `'`, which spreadsheets
 * show as text. A number such as `+441785123456` or `-` (withheld) is left alone.
 */
function spreadsheetSafe(text: string): string {
  return /^[=@\t\r]/.test(text) || /^[+-](?![\d ()-]*$)/.test(text) ? `'${text}` : text;
}

/**
 * `text` as epoch ms, or a sentence saying what is wrong with it. A time must carry
 * its zone, so an export means the same whatever the machine's time zone.
 */
export function parseInstant(name: string, text: string): number | string {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
  const ms = date.test(text) || dateTime.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) return `${name} must be an ISO 8601 date (2025-01-06, midnight UTC) or a date and time with its zone (2025-01-06T09:00:00Z), not "${text}"`;
  return ms;
}

/**
 * The records in [since, until), a page at a time. The next page starts at the last
 * record's endedAt and skips the records of that instant already given; should a whole
 * page hold only such records (more calls ending in one ms than a page holds), the page
 * doubles, so the export always moves on.
 */
async function* pages(store: StateStore, since: number | undefined, until: number | undefined, pageSize: number): AsyncGenerator<CallRecord[]> {
  let cursor = since;
  let seenAtCursor = new Set<string>();
  let size = pageSize;
  for (;;) {
    const page = await store.callRecords({ ...(cursor !== undefined && { since: cursor }), ...(until !== undefined && { until }), limit: size });
    const fresh = page.filter((r) => !(r.endedAt === cursor && seenAtCursor.has(r.id)));
    if (fresh.length > 0) yield fresh;
    if (page.length < size) return;
    const last = page[page.length - 1]!.endedAt;
    if (last !== cursor) {
      cursor = last;
      seenAtCursor = new Set();
    }
    for (const r of page) if (r.endedAt === cursor) seenAtCursor.add(r.id);
    if (fresh.length === 0) size *= 2;
  }
}

interface Output {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

async function openOutput(path: string | undefined): Promise<Output> {
  if (path === undefined) {
    return {
      write: (text) =>
        new Promise((resolve, reject) => {
          // Waits for the write to be taken, so a slow reader (a pipe) holds the export back.
          process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
        }),
      close: async () => {},
    };
  }
  const file = await open(path, "w");
  let closed = false;
  return {
    write: async (text) => {
      await file.write(text);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await file.close();
    },
  };
}

function isFileError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string" && typeof (err as NodeJS.ErrnoException).syscall === "string";
}

import { compareCallRecords, type CallRecord, type CallRecordQuery, type CallRecordRetention } from "./call-record.js";
import { checkRetention } from "./check-argument.js";

/**
 * The memory store's call records: kept in `endedAt` order (ties by id, as Redis orders
 * its sorted set), one per id, trimmed to the retention on every add. Records mostly
 * arrive in order, so an add is usually a push; a late one is placed by binary search.
 * Trimming drops from the front by moving `head`, compacting when half the array is
 * dead, so dropping one record per add does not shift the whole array each time.
 */
export class CallRecordLog {
  private records: CallRecord[] = [];
  private head = 0;
  private readonly ids = new Set<string>();

  constructor(private readonly retention: CallRecordRetention = {}) {
    checkRetention(retention);
  }

  get size(): number {
    return this.records.length - this.head;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Adds the record in order unless one with its id is held; then trims to the retention at `now`. */
  add(record: CallRecord, now: number): void {
    if (this.ids.has(record.id)) return;
    this.ids.add(record.id);
    const last = this.records[this.records.length - 1];
    if (this.size === 0 || compareCallRecords(last!, record) <= 0) this.records.push(record);
    else this.records.splice(this.upperBound(record), 0, record);
    this.trim(now);
  }

  /** Records with `since <= endedAt < until`, oldest first, at most `limit`. */
  query({ since = -Infinity, until = Infinity, limit = Infinity }: CallRecordQuery): CallRecord[] {
    const found: CallRecord[] = [];
    for (let i = this.lowerBound(since); i < this.records.length && found.length < limit; i++) {
      const record = this.records[i]!;
      if (record.endedAt >= until) break;
      found.push(record);
    }
    return found;
  }

  clear(): void {
    this.records = [];
    this.head = 0;
    this.ids.clear();
  }

  private trim(now: number): void {
    const { maxCount, maxAgeMs } = this.retention;
    const cutoff = maxAgeMs === undefined ? -Infinity : now - maxAgeMs;
    while (this.size > 0 && (this.size > (maxCount ?? Infinity) || this.records[this.head]!.endedAt <= cutoff)) {
      this.ids.delete(this.records[this.head]!.id);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  /** The first index (from `head`) whose record ended at or after `since`. */
  private lowerBound(since: number): number {
    let lo = this.head;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.endedAt < since) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index (from `head`) whose record sorts after `record`. */
  private upperBound(record: CallRecord): number {
    let lo = this.head;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareCallRecords(this.records[mid]!, record) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

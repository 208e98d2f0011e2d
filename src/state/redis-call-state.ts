/**
 * Dialogs and call records on Redis (the live-calls view and the CDRs of the pair),
 * kept apart from the location and authentication state of RedisStateStore, which
 * delegates to it. The key layout is in README.md.
 */
import type { Redis } from "ioredis";
import { compareCallRecords, type CallRecord, type CallRecordQuery, type CallRecordRetention } from "./call-record.js";
import { checkAfter, checkCallRecordQuery, checkInstant } from "./check-argument.js";
import { compareDialogs, dialogMatches, isLiveDialog, splitDialogId, type DialogRecord } from "./dialog-record.js";
import { acceptCallRecord, acceptDialog, decodeCallRecord, decodeDialog, encodeCallRecord, encodeDialog } from "./record-codec.js";
import type { RedisKeys } from "./redis-keys.js";
import * as scripts from "./redis-scripts.js";
import { StateError } from "./state-error.js";

/** What the store shares with this part of it. */
export interface RedisContext {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly clock: () => number;
  readonly graceMs: number;
  readonly maxUpdateAttempts: number;
  readonly retention: CallRecordRetention;
  assertOpen(): void;
  /** One Redis round trip; a failure of Redis itself becomes STATE_UNAVAILABLE. */
  command<T>(what: string, run: () => Promise<T>): Promise<T>;
}

export class RedisCallState {
  constructor(private readonly ctx: RedisContext) {}

  // ---- Dialogs -------------------------------------------------------------------

  async putDialog(dialog: DialogRecord): Promise<void> {
    const now = this.ctx.clock();
    const accepted = acceptDialog(dialog, now);
    this.ctx.assertOpen();
    await this.ctx.command("store dialog " + accepted.id, () =>
      scripts.putDialog.run(
        this.ctx.redis,
        [this.ctx.keys.dialog(accepted.callId), this.ctx.keys.dialogIndex],
        [accepted.fromTag, encodeDialog(accepted), accepted.expiresAt, accepted.id, accepted.expiresAt - now + this.ctx.graceMs, now - this.ctx.graceMs],
      ),
    );
  }

  async findDialog(callId: string, tag1: string, tag2?: string): Promise<DialogRecord | undefined> {
    this.ctx.assertOpen();
    const key = this.ctx.keys.dialog(callId);
    // The hash is keyed by the caller's tag: the request's From tag is it (a request
    // from the caller), or its To tag is (from the callee). One HMGET asks for both.
    const fields = tag2 === undefined ? [tag1] : [tag1, tag2];
    const raws = await this.ctx.command("find a dialog of " + callId, () => this.ctx.redis.hmget(key, ...fields));
    const now = this.ctx.clock();
    for (const raw of raws) {
      if (raw === null) continue;
      const dialog = decodeDialog(raw, key);
      if (dialog.callId === callId && isLiveDialog(dialog, now) && dialogMatches(dialog, tag1, tag2)) return dialog;
    }
    return undefined;
  }

  async refreshDialog(id: string, expiresAt: number): Promise<DialogRecord | undefined> {
    checkInstant("expiresAt", expiresAt);
    this.ctx.assertOpen();
    checkAfter("expiresAt", expiresAt, this.ctx.clock());
    const parts = splitDialogId(id);
    if (parts === undefined) return undefined;
    const key = this.ctx.keys.dialog(parts.callId);
    // Compare-and-set, so a refresh never overwrites a newer put nor revives an ended dialog.
    for (let attempt = 1; attempt <= this.ctx.maxUpdateAttempts; attempt++) {
      const raw = await this.ctx.command("read dialog " + id, () => this.ctx.redis.hget(key, parts.fromTag));
      if (raw === null) return undefined;
      const now = this.ctx.clock();
      const dialog = decodeDialog(raw, key);
      if (!isLiveDialog(dialog, now)) return undefined;
      const refreshed: DialogRecord = { ...dialog, expiresAt };
      const written = await this.ctx.command("refresh dialog " + id, () =>
        scripts.replaceDialog.run(this.ctx.redis, [key, this.ctx.keys.dialogIndex], [parts.fromTag, raw, encodeDialog(refreshed), expiresAt, id, expiresAt - now + this.ctx.graceMs]),
      );
      if (written === 1) return refreshed;
      if (written === -1) return undefined;
    }
    throw new StateError("STATE_CONFLICT", `dialog ${id} changed under every one of ${this.ctx.maxUpdateAttempts} attempts to refresh it; the next re-INVITE will refresh it`);
  }

  async endDialog(id: string, expiringBy?: number): Promise<DialogRecord | undefined> {
    if (expiringBy !== undefined) checkInstant("expiringBy", expiringBy);
    this.ctx.assertOpen();
    const parts = splitDialogId(id);
    if (parts === undefined) return undefined;
    const key = this.ctx.keys.dialog(parts.callId);
    const args = [parts.fromTag, id, expiringBy ?? ""];
    const raw = await this.ctx.command("end dialog " + id, () => scripts.endDialog.run(this.ctx.redis, [key, this.ctx.keys.dialogIndex], args));
    if (raw === null) return undefined;
    const dialog = decodeDialog(String(raw), key);
    return isLiveDialog(dialog, this.ctx.clock()) ? dialog : undefined;
  }

  async listDialogs(expiringBy?: number): Promise<DialogRecord[]> {
    if (expiringBy !== undefined) checkInstant("expiringBy", expiringBy);
    this.ctx.assertOpen();
    const now = this.ctx.clock();
    const upTo = expiringBy === undefined ? "+inf" : String(expiringBy);
    const ids = await this.ctx.command("list the dialogs", () => this.ctx.redis.zrangebyscore(this.ctx.keys.dialogIndex, `(${now}`, upTo));
    const keyed = ids.map((id) => {
      const parts = splitDialogId(id);
      if (parts === undefined) throw new StateError("STATE_BAD_VALUE", `${this.ctx.keys.dialogIndex} holds ${JSON.stringify(id)}, which is not a dialog id; is another application using prefix ${this.ctx.keys.prefix}?`);
      return { key: this.ctx.keys.dialog(parts.callId), fromTag: parts.fromTag };
    });
    // One HGET per dialog, sent together: one round trip.
    const raws = await this.ctx.command("read the dialogs", () => Promise.all(keyed.map(({ key, fromTag }) => this.ctx.redis.hget(key, fromTag))));
    const dialogs: DialogRecord[] = [];
    raws.forEach((raw, i) => {
      if (raw === null) return; // ended since the index was read
      const dialog = decodeDialog(raw, keyed[i]!.key);
      if (isLiveDialog(dialog, now)) dialogs.push(dialog);
    });
    return dialogs.sort(compareDialogs);
  }

  async countDialogs(): Promise<number> {
    this.ctx.assertOpen();
    return this.ctx.command("count the dialogs", () => this.ctx.redis.zcount(this.ctx.keys.dialogIndex, `(${this.ctx.clock()}`, "+inf"));
  }

  // ---- Call records --------------------------------------------------------------

  async appendCallRecord(record: CallRecord): Promise<void> {
    const accepted = acceptCallRecord(record);
    this.ctx.assertOpen();
    const { maxAgeMs, maxCount } = this.ctx.retention;
    await this.ctx.command("append call record " + accepted.id, () =>
      scripts.appendCallRecord.run(
        this.ctx.redis,
        [this.ctx.keys.callRecords],
        [accepted.endedAt, encodeCallRecord(accepted), maxAgeMs === undefined ? "" : this.ctx.clock() - maxAgeMs, maxCount ?? ""],
      ),
    );
  }

  async callRecords(query: CallRecordQuery = {}): Promise<CallRecord[]> {
    checkCallRecordQuery(query);
    this.ctx.assertOpen();
    const key = this.ctx.keys.callRecords;
    const min = query.since ?? "-inf";
    const max = query.until === undefined ? "+inf" : `(${query.until}`;
    const raws = await this.ctx.command("read the call records", () =>
      query.limit === undefined ? this.ctx.redis.zrangebyscore(key, min, max) : this.ctx.redis.zrangebyscore(key, min, max, "LIMIT", 0, query.limit),
    );
    // Redis orders records of one endedAt by their JSON, which begins with the id: sort
    // again by id proper so both stores agree to the letter.
    return raws.map((raw) => decodeCallRecord(raw, key)).sort(compareCallRecords);
  }
}

/**
 * What a node kept while Redis was away and owes it (last-known-state-store.ts): the
 * calls answered meanwhile (in the node's memory store), the call records queued, the
 * nonce counts accepted (the highest per nonce) and the blocks made; and the write-back
 * that pays it when Redis is back.
 */
import type { CallRecord } from "./call-record.js";
import type { LastKnownEvent, WrittenBack } from "./last-known-events.js";
import type { MemoryStateStore } from "./memory-state-store.js";
import { isStateError } from "./state-error.js";
import type { NonceCountUse, StateStore } from "./state-store.js";

export class OutageDebt {
  private readonly records: CallRecord[] = [];
  private readonly nonces = new Map<string, { nc: number; expiresAt: number }>();
  private readonly blocks = new Map<string, number>();

  constructor(
    private readonly local: MemoryStateStore,
    private readonly clock: () => number,
    private readonly tell: (event: LastKnownEvent) => void,
    private readonly maxQueuedRecords: number,
  ) {}

  get queuedRecords(): number {
    return this.records.length;
  }

  /** Queues a call record; the oldest goes, loudly, when the queue is full. */
  queue(record: CallRecord): void {
    if (this.records.length >= this.maxQueuedRecords) {
      const oldest = this.records.shift()!;
      this.tell({ kind: "dropped", what: "call record", id: oldest.id, reason: `the queue of ${this.maxQueuedRecords} records was full` });
    }
    this.records.push(record);
  }

  /** A nonce count accepted while Redis was away. */
  count(use: NonceCountUse): void {
    this.nonces.set(use.nonce, { nc: Math.max(use.nc, this.nonces.get(use.nonce)?.nc ?? 0), expiresAt: this.clock() + use.ttlMs });
  }

  /** Whether `use` repeats a count accepted while Redis was away and not yet written to it. */
  owesCount(use: NonceCountUse): boolean {
    const owed = this.nonces.get(use.nonce);
    return owed !== undefined && use.nc <= owed.nc;
  }

  block(key: string, until: number): void {
    this.blocks.set(key, Math.max(until, this.blocks.get(key) ?? 0));
  }

  unblock(key: string): void {
    this.blocks.delete(key);
  }

  /**
   * Writes it all to `shared`: nonce counts (each only raises what Redis holds) and
   * blocks (each only lengthens one), the dialogs still in the memory store (a dialog
   * whose BYE came while it was being written is ended there again), then the records,
   * oldest first, each removed once written; over again while `fallbacks` (the
   * operations answered from memory) moves or anything is left. Rejects only when
   * Redis goes away again or the store closes; anything else Redis refuses is dropped,
   * loudly, so that one bad entry cannot hold up the rest.
   */
  async payTo(shared: StateStore, fallbacks: () => number): Promise<{ dialogs: number; records: number }> {
    let dialogs = 0;
    let records = 0;
    for (;;) {
      const seen = fallbacks();
      await this.payAuthState(shared);
      const kept = await this.local.listDialogs();
      for (const dialog of kept) {
        await this.writeBack("dialog", dialog.id, async () => {
          await shared.putDialog(dialog);
          // Its BYE came while it was being written, and ended it here: end it there too.
          if ((await this.local.endDialog(dialog.id)) === undefined) await shared.endDialog(dialog.id);
        });
        await this.local.endDialog(dialog.id);
        dialogs++;
      }
      while (this.records.length > 0) {
        const record = this.records[0]!;
        await this.writeBack("call record", record.id, () => shared.appendCallRecord(record));
        this.records.shift();
        records++;
      }
      // Requests answered from memory meanwhile may have left more.
      const more = fallbacks() !== seen || kept.length > 0 || this.records.length > 0 || this.nonces.size > 0 || this.blocks.size > 0;
      if (!more) return { dialogs, records };
    }
  }

  private async payAuthState(shared: StateStore): Promise<void> {
    for (const [nonce, { nc, expiresAt }] of this.nonces) {
      const ttlMs = expiresAt - this.clock();
      if (ttlMs > 0) await this.writeBack("nonce count", nonce, async () => void (await shared.checkCredentials([], { nonce, nc, ttlMs })));
      this.nonces.delete(nonce);
    }
    for (const [key, until] of this.blocks) {
      if (until > this.clock()) await this.writeBack("block", key, () => shared.block(key, until));
      this.blocks.delete(key);
    }
  }

  /** Runs one write-back; rethrows only Redis being away or the store closed (which stop the payment). */
  private async writeBack(what: WrittenBack, id: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (isStateError(err, "STATE_UNAVAILABLE") || isStateError(err, "STATE_CLOSED")) throw err;
      this.tell({ kind: "dropped", what, id, reason: err instanceof Error ? err.message : String(err) });
    }
  }
}

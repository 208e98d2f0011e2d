/**
 * Call detail records and the live-calls view: a dialog is put in the shared store
 * when a call is answered, ended (with its record written) by the BYE that ends it,
 * whichever node that BYE reaches, and kept alive by re-INVITEs; an unanswered call
 * gets its record when its final response goes back. A call whose BYE never comes (a
 * phone that lost power) is ended by the sweep shortly before its dialog's safety
 * expiry, with a record "expired". The store makes ending a dialog atomic, so a BYE
 * seen by both nodes, or a dialog swept by both, writes one record.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../../log/logger.js";
import type { SipRequest, SipResponse } from "../../sip/message/index.js";
import { DIALOG_SAFETY_TTL_MS, dialogId, isStateError, type CallDisposition, type DialogRecord, type StateStore } from "../../state/index.js";

export interface CallFacts {
  readonly caller: string;
  readonly dialled: string;
  readonly route?: string;
  readonly startedAt: number;
}

function disposition(status: number, cancelled: boolean): CallDisposition {
  if (cancelled || status === 487) return "cancelled";
  if (status === 486 || status === 600) return "busy";
  if (status === 480 || status === 408) return "no-answer";
  return "failed";
}

/** What ending a call needs of its BYE, and when it came. */
interface Bye {
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string | undefined;
  readonly at: number;
}

/** BYEs kept while the store is away, at most: a day of a large site's calls. */
const MAX_WAITING_BYES = 100_000;
/** How long a BYE kept through an outage waits for the other node to write back its call. */
const LATE_DIALOG_GRACE_MS = 5_000;
/** How often kept BYEs are tried again, whatever the store's health says. */
const WAITING_RETRY_MS = 10_000;
/**
 * How often the sweep looks for dialogs near their safety expiry. It ends those that
 * would expire before the next sweep (and a minute's margin), so none lapses unrecorded.
 */
const SWEEP_EVERY_MS = 60_000;
const SWEEP_AHEAD_MS = SWEEP_EVERY_MS + 60_000;

export class CallRecorder {
  private readonly waiting: { readonly bye: Bye; readonly log: Logger }[] = [];
  private retry: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly node: string,
    private readonly clock: () => number = Date.now,
  ) {
    store.onHealthChange((health) => {
      if (health.state === "ready") void this.endWaiting();
    });
  }

  async answered(invite: SipRequest, response: SipResponse, facts: CallFacts, target: string, log: Logger): Promise<void> {
    const now = this.clock();
    const fromTag = invite.fromTag ?? "";
    await this.store
      .putDialog({
        id: dialogId(invite.callId, fromTag),
        callId: invite.callId,
        fromTag,
        toTag: response.toTag ?? "",
        caller: facts.caller,
        dialled: facts.dialled,
        target,
        route: facts.route ?? "",
        startedAt: facts.startedAt,
        answeredAt: now,
        node: this.node,
        expiresAt: now + DIALOG_SAFETY_TTL_MS,
      })
      .catch((err: unknown) => log.error({ err }, "dialog not recorded"));
  }

  async failed(invite: SipRequest, final: SipResponse, facts: CallFacts, cancelled: boolean, log: Logger): Promise<void> {
    await this.store
      .appendCallRecord({
        id: randomUUID(),
        callId: invite.callId,
        caller: facts.caller,
        dialled: facts.dialled,
        ...(facts.route !== undefined && { route: facts.route }),
        startedAt: facts.startedAt,
        endedAt: this.clock(),
        disposition: disposition(final.status, cancelled),
        failureStatus: final.status,
        node: this.node,
      })
      .catch((err: unknown) => log.error({ err }, "call record not written"));
  }

  /** A BYE: the dialog it names ends, and its record is written (once, whichever node sees it). */
  async ended(bye: SipRequest, log: Logger): Promise<void> {
    await this.end({ callId: bye.callId, fromTag: bye.fromTag ?? "", toTag: bye.toTag, at: this.clock() }, log);
  }

  /**
   * `waited`: how often this BYE has been tried after waiting for the store. A BYE
   * kept through an outage may find no dialog at first: the other node may have
   * answered the call during the outage and not yet written it back. It is tried once
   * more a little later before its record is given up for lost.
   */
  private async end(bye: Bye, log: Logger, waited = 0): Promise<void> {
    try {
      const dialog = await this.store.findDialog(bye.callId, bye.fromTag, bye.toTag);
      const ended = dialog && (await this.store.endDialog(dialog.id));
      if (!ended) {
        if (waited === 1) setTimeout(() => void this.end(bye, log, 2), LATE_DIALOG_GRACE_MS).unref();
        // Or the other node saw this BYE too and recorded the call.
        else if (waited > 1) log.warn("no dialog for a BYE kept through a shared state outage: recorded by the other node, or lost (make Redis persist its data: appendonly yes)");
        return;
      }
      await this.recordEnd(ended, bye.at, "answered");
    } catch (err) {
      // Only the shared store knows the dialog, and it is away (a call answered before
      // the outage: src/state/last-known-state-store.ts). The BYE waits for it.
      if (isStateError(err, "STATE_UNAVAILABLE")) this.keep(bye, log, waited === 0);
      else log.error({ err }, "call record not written");
    }
  }

  /**
   * A re-INVITE (RFC 3261 §14): the call is alive, so its dialog's safety expiry moves
   * on (a call longer than the safety TTL is not swept while it re-INVITEs).
   */
  async refreshed(reinvite: SipRequest, log: Logger): Promise<void> {
    try {
      const dialog = await this.store.findDialog(reinvite.callId, reinvite.fromTag ?? "", reinvite.toTag);
      if (dialog) await this.store.refreshDialog(dialog.id, this.clock() + DIALOG_SAFETY_TTL_MS);
    } catch (err) {
      // During a Redis outage the dialog is out of reach: the sweep waits for Redis too.
      if (isStateError(err, "STATE_UNAVAILABLE")) log.debug({ err }, "dialog not refreshed");
      else log.warn({ err }, "dialog not refreshed");
    }
  }

  /** Runs the sweep every minute until `stop()`. */
  startSweeping(log: Logger): void {
    this.sweeper ??= setInterval(() => void this.sweep(log), SWEEP_EVERY_MS).unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /**
   * Ends the dialogs whose safety expiry falls before the next sweep: their BYE never
   * came. Both nodes sweep; ending a dialog is atomic, so each is recorded once.
   */
  async sweep(log: Logger): Promise<number> {
    // While the shared store is away there is nothing to sweep from (and its outage is
    // said elsewhere); a dialog due meanwhile is swept on its return, if still there.
    if (this.store.health().state === "unreachable") return 0;
    const now = this.clock();
    let due: DialogRecord[];
    try {
      due = await this.store.listDialogs(now + SWEEP_AHEAD_MS);
    } catch (err) {
      log.warn({ err }, "dialog sweep not done: the live dialogs could not be read; tried again in a minute");
      return 0;
    }
    let swept = 0;
    for (const dialog of due) {
      // One dialog's failure leaves the others to be swept.
      try {
        // Only if still due: a re-INVITE may have pushed its expiry back since the read.
        const ended = await this.store.endDialog(dialog.id, now + SWEEP_AHEAD_MS);
        if (!ended) continue;
        await this.recordEnd(ended, now, "expired");
        log.warn({ callId: ended.callId, caller: ended.caller, dialled: ended.dialled }, "call recorded as expired: no BYE came before its dialog's safety expiry");
        swept++;
      } catch (err) {
        log.warn({ err, callId: dialog.callId }, "dialog not swept");
      }
    }
    return swept;
  }

  /** BYEs waiting for the shared store, for metrics. */
  get waitingByes(): number {
    return this.waiting.length;
  }

  /** `first`: the BYE was just received (not tried again after waiting), so the log hears of it. */
  private keep(bye: Bye, log: Logger, first: boolean): void {
    if (this.waiting.length >= MAX_WAITING_BYES) this.waiting.shift()!.log.error("call record lost: too many calls ended while the shared store was unreachable");
    this.waiting.push({ bye, log });
    if (first) log.warn("call ended while the shared store is unreachable: its record is written when the store is back");
    this.retryLater();
  }

  /**
   * The store's return is heard as a health change, unless it never looked gone
   * (commands timing out on a connection still open): then this timer tries again.
   */
  private retryLater(): void {
    this.retry ??= setTimeout(() => {
      this.retry = undefined;
      if (this.store.health().state === "unreachable") this.retryLater();
      else void this.endWaiting();
    }, WAITING_RETRY_MS).unref();
  }

  private recordEnd(ended: DialogRecord, endedAt: number, disposition: "answered" | "expired"): Promise<void> {
    return this.store.appendCallRecord({
      id: randomUUID(),
      callId: ended.callId,
      caller: ended.caller,
      dialled: ended.dialled,
      target: ended.target,
      route: ended.route,
      startedAt: ended.startedAt,
      ...(ended.answeredAt !== undefined && { answeredAt: ended.answeredAt, durationMs: endedAt - ended.answeredAt }),
      endedAt,
      disposition,
      node: ended.node,
    });
  }

  /** The store is back: the calls whose BYE came while it was away end now, at the time their BYE came. */
  private async endWaiting(): Promise<void> {
    for (const { bye, log } of this.waiting.splice(0)) await this.end(bye, log, 1);
  }
}

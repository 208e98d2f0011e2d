/**
 * Call detail records and the live-calls view: a dialog is put in the shared store
 * when a call is answered, and ended (with its record written) by the BYE that ends
 * it, whichever node that BYE reaches; an unanswered call gets its record when its
 * final response goes back. The store makes ending a dialog atomic, so a BYE seen
 * by both nodes writes one record.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../../log/logger.js";
import type { SipRequest, SipResponse } from "../../sip/message/index.js";
import { DIALOG_SAFETY_TTL_MS, dialogId, type CallDisposition, type StateStore } from "../../state/index.js";

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

export class CallRecorder {
  constructor(
    private readonly store: StateStore,
    private readonly node: string,
    private readonly clock: () => number = Date.now,
  ) {}

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
    try {
      const dialog = await this.store.findDialog(bye.callId, bye.fromTag ?? "", bye.toTag);
      const ended = dialog && (await this.store.endDialog(dialog.id));
      if (!ended) return;
      const now = this.clock();
      await this.store.appendCallRecord({
        id: randomUUID(),
        callId: ended.callId,
        caller: ended.caller,
        dialled: ended.dialled,
        target: ended.target,
        route: ended.route,
        startedAt: ended.startedAt,
        ...(ended.answeredAt !== undefined && { answeredAt: ended.answeredAt, durationMs: now - ended.answeredAt }),
        endedAt: now,
        disposition: "answered",
        node: ended.node,
      });
    } catch (err) {
      log.error({ err }, "call record not written");
    }
  }
}

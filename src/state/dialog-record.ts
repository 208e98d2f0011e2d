/**
 * A call in progress, as the whole cluster sees it: the live-calls view lists these,
 * and the call's record (`CallRecord`) is made from one when the call ends. Plain data,
 * so it crosses to Redis and to the other node as JSON.
 *
 * Finding it from an in-dialog request. RFC 3261 §12: a dialog "is identified ... by a
 * Call-ID, a local tag and a remote tag", and which tag is local depends on the side:
 * - a BYE (re-INVITE, UPDATE ...) from the caller carries From tag = `fromTag` and
 *   To tag = `toTag`;
 * - one from the callee carries From tag = `toTag` and To tag = `fromTag` (the callee's
 *   From is the original To, RFC 3261 §12.2.1.1).
 * So the store keeps both tags and looks a dialog up by Call-ID:
 * `findDialog(callId, requestFromTag, requestToTag)` tries the request's From tag as
 * the caller's tag, then its To tag, and checks the other tag, so one call finds the
 * dialog from either side. `id` names the dialog by the caller's side only (Call-ID and
 * caller's tag), which is what every request of the call can name, the CANCEL included
 * (RFC 3261 §9.1: a CANCEL has the INVITE's Call-ID and From tag, and no To tag).
 */
export interface DialogRecord {
  /** `dialogId(callId, fromTag)`: the caller's Call-ID, ";", the caller's From tag. */
  readonly id: string;
  /** The Call-ID of the caller's INVITE. */
  readonly callId: string;
  /** The caller's tag: the From tag of the INVITE. */
  readonly fromTag: string;
  /**
   * The callee's tag: the To tag of the response that made the dialog (RFC 3261
   * §12.1.1), a 2xx, or a 1xx for an early dialog. Under forking the last one put wins.
   */
  readonly toTag: string;
  /** Who called, as an extension (`2001`) or a number (`+441785123456`). */
  readonly caller: string;
  /** What the caller dialled, as dialled (`9 01785 123456`, `2002`). */
  readonly dialled: string;
  /** Where the call went, for people: `user 2002`, `group reception → 2003`, `legacy stafford`. */
  readonly target: string;
  /** The dialplan rule or route taken, as text (`internal-extensions`, `lcr uk-landline via carrier-a`). */
  readonly route: string;
  /** Epoch ms of the INVITE. */
  readonly startedAt: number;
  /**
   * Epoch ms of the 2xx. Absent while the call is ringing: a proxy may put an early
   * dialog (a 1xx with a To tag) for the live-calls view, and put it again on the 2xx.
   */
  readonly answeredAt?: number;
  /** Name of the node that set the call up. */
  readonly node: string;
  /**
   * Epoch ms after which the dialog is treated as gone, in case its BYE never comes (a
   * phone lost power): the setter gives `DIALOG_SAFETY_TTL_MS` from now, and a re-INVITE
   * or UPDATE extends it (`refreshDialog`). Live while `now < expiresAt`.
   */
  readonly expiresAt: number;
}

/**
 * The default safety TTL of a dialog: 12 hours, longer than any real call, and renewed
 * by re-INVITEs. The call recorder's sweep ends a dialog shortly before it lapses, with
 * a record "expired" (src/pbx/cdr/call-recorder.ts).
 */
export const DIALOG_SAFETY_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * A dialog's id: `<Call-ID>;<caller's tag>`. A tag is a token (RFC 3261 §25.1), which
 * holds no ";", so the last ";" separates the two whatever the Call-ID holds.
 */
export function dialogId(callId: string, fromTag: string): string {
  return `${callId};${fromTag}`;
}

/** The Call-ID and caller's tag of a dialog id, or undefined when it has no ";". */
export function splitDialogId(id: string): { callId: string; fromTag: string } | undefined {
  const at = id.lastIndexOf(";");
  if (at <= 0 || at === id.length - 1) return undefined;
  return { callId: id.slice(0, at), fromTag: id.slice(at + 1) };
}

/** A dialog is live until its safety TTL runs out: listed at `expiresAt - 1`, gone at `expiresAt`. */
export function isLiveDialog(dialog: DialogRecord, now: number): boolean {
  return now < dialog.expiresAt;
}

/**
 * Whether `dialog` is the one an in-dialog request with these tags names, from
 * either side (see `DialogRecord`). With one tag (a CANCEL: no To tag yet) it must
 * be the caller's.
 */
export function dialogMatches(dialog: DialogRecord, tag1: string, tag2?: string): boolean {
  if (tag2 === undefined) return dialog.fromTag === tag1;
  return (dialog.fromTag === tag1 && dialog.toTag === tag2) || (dialog.fromTag === tag2 && dialog.toTag === tag1);
}

/** The live-calls view's order: the longest-running call first (ties by id). */
export function compareDialogs(a: DialogRecord, b: DialogRecord): number {
  return a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

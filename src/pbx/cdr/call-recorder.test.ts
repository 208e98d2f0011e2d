/**
 * The call recorder's sweep and re-INVITE refresh, on the embedded store (whose
 * atomic endDialog the store contract proves on Redis too). A call whose BYE never
 * comes is recorded "expired" once, shortly before its dialog's safety expiry.
 */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log/logger.js";
import { parseMessage, type SipRequest } from "../../sip/message/index.js";
import { DIALOG_SAFETY_TTL_MS, MemoryStateStore, type DialogRecord } from "../../state/index.js";
import { CallRecorder } from "./call-recorder.js";

const T0 = Date.UTC(2025, 0, 6, 9);
const log = createLogger("silent");

function dialog(n: number, expiresAt: number): DialogRecord {
  return {
    id: `call-${n}@10.0.0.1;from-${n}`,
    callId: `call-${n}@10.0.0.1`,
    fromTag: `from-${n}`,
    toTag: `to-${n}`,
    caller: "2001",
    dialled: "2002",
    target: "user 2002",
    route: "extensions",
    startedAt: T0 - 5_000,
    answeredAt: T0,
    node: "a",
    expiresAt,
  };
}

function reinvite(d: DialogRecord): SipRequest {
  const lines = [
    "INVITE sip:2002@10.0.0.2:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKreinvite1",
    "Max-Forwards: 70",
    `From: <sip:2001@pbx.example.org>;tag=${d.fromTag}`,
    `To: <sip:2002@pbx.example.org>;tag=${d.toTag}`,
    `Call-ID: ${d.callId}`,
    "CSeq: 3 INVITE",
    "Contact: <sip:2001@10.0.0.1:5060>",
    "Content-Length: 0",
    "",
    "",
  ];
  return parseMessage(Buffer.from(lines.join("\r\n"))) as SipRequest;
}

describe("CallRecorder", () => {
  it("ends a call whose safety expiry falls before the next sweep, with one record 'expired', and leaves the others up", async () => {
    const time = { now: T0 + DIALOG_SAFETY_TTL_MS - 90_000 };
    const store = new MemoryStateStore({ clock: () => time.now });
    await store.putDialog(dialog(1, T0 + DIALOG_SAFETY_TTL_MS)); // lapses in 90 s: before the next sweep
    await store.putDialog(dialog(2, time.now + DIALOG_SAFETY_TTL_MS)); // a call answered just now
    // Both nodes sweep the same store.
    const a = new CallRecorder(store, "a", () => time.now);
    const b = new CallRecorder(store, "b", () => time.now);
    expect((await a.sweep(log)) + (await b.sweep(log))).toBe(1);

    expect(await store.callRecords()).toEqual([
      expect.objectContaining({ callId: "call-1@10.0.0.1", disposition: "expired", endedAt: time.now, durationMs: time.now - T0, node: "a", target: "user 2002" }),
    ]);
    expect((await store.listDialogs()).map((d) => d.callId)).toEqual(["call-2@10.0.0.1"]);
    await store.close();
  });

  it("moves a dialog's safety expiry on at a re-INVITE (RFC 3261 §14), so a long call is not swept", async () => {
    const time = { now: T0 };
    const store = new MemoryStateStore({ clock: () => time.now });
    const recorder = new CallRecorder(store, "a", () => time.now);
    await store.putDialog(dialog(1, T0 + DIALOG_SAFETY_TTL_MS));
    time.now = T0 + DIALOG_SAFETY_TTL_MS - 60_000;
    await recorder.refreshed(reinvite(dialog(1, 0)), log);
    expect(await recorder.sweep(log)).toBe(0);
    expect((await store.listDialogs())[0]?.expiresAt).toBe(time.now + DIALOG_SAFETY_TTL_MS);
    await store.close();
  });
});

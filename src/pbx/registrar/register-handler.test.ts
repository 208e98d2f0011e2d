/**
 * REGISTER in-process: the authentication stage and the registrar on one memory store
 * that counts its commands, requests built from text.
 */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log/logger.js";
import type { SipRequest, SipResponse } from "../../sip/message/index.js";
import { credentials, REALM, register, setup } from "../auth/test-support.js";
import { registerHandler } from "./register-handler.js";
import { Registrar } from "./registrar.js";

const AOR = `sip:2001@${REALM}`;
const contact = (n: number) => `Contact: <sip:2001@192.0.2.${n}:5060>`;

function node() {
  const stage = setup();
  const registrar = new Registrar(stage.counted, { minExpires: 60, maxExpires: 3_600, maxContacts: 5, defaultExpires: 3_600, node: "node-a", domain: () => REALM });
  const handle = registerHandler(stage.auth, registrar);
  const send = async (request: SipRequest): Promise<SipResponse> => {
    const answers: SipResponse[] = [];
    const source = { transport: "UDP" as const, address: "192.0.2.10", port: 5060, localAddress: "127.0.0.1", localPort: 5060 };
    await handle({ request, source, log: createLogger("silent"), respond: (r: SipResponse) => void answers.push(r) });
    expect(answers).toHaveLength(1);
    return answers[0]!;
  };
  return { ...stage, send };
}

describe("REGISTER: the digest check and the registrar", () => {
  it("registers a right answer with one store command: the credentials check goes with the binding update", async () => {
    const { send, nonces, commands, store } = node();
    const ok = await send(register(credentials(nonces.issue(REALM)), [contact(1)]));
    expect(ok.status).toBe(200);
    expect(commands).toEqual(["updateBindings"]);
    expect((await store.getBindings(AOR)).map((b) => b.contact)).toEqual(["sip:2001@192.0.2.1:5060"]);
  });

  it("MUST NOT bind a replayed nonce count (RFC 7616 §3.4): a stale challenge, the bindings as they were", async () => {
    const { send, nonces, store } = node();
    const nonce = nonces.issue(REALM);
    expect((await send(register(credentials(nonce), [contact(1)]))).status).toBe(200);
    const replay = await send(register(credentials(nonce), [contact(2)]));
    expect(replay.status).toBe(401);
    expect(replay.headers.get("WWW-Authenticate")).toMatch(/stale=true/);
    expect((await store.getBindings(AOR)).map((b) => b.contact)).toEqual(["sip:2001@192.0.2.1:5060"]);
  });

  it("answers an nc of 00000000 with 400 whether or not the password is right (RFC 7616 §3.4: nc counts from 1)", async () => {
    const { send, nonces } = node();
    const right = await send(register(credentials(nonces.issue(REALM), { nc: "00000000" }), [contact(1)]));
    const wrong = await send(register(credentials(nonces.issue(REALM), { nc: "00000000", password: "a guess" }), [contact(1)]));
    expect([right.status, wrong.status]).toEqual([400, 400]);
  });

  it("refuses a blocked user 403 before any other refusal, so a right guess is never told apart (423, 400)", async () => {
    const { send, nonces, store } = node();
    await store.block("user:2001", Date.now() + 60_000);
    const brief = [contact(1), "Expires: 10"];
    const badContact = ["Contact: <sip:2001@192.0.2.1:5060"];
    expect((await send(register(credentials(nonces.issue(REALM)), brief))).status).toBe(403);
    expect((await send(register(credentials(nonces.issue(REALM)), badContact))).status).toBe(403);
    expect(await store.getBindings(AOR)).toEqual([]);
    await store.unblock("user:2001");
    const tooBrief = await send(register(credentials(nonces.issue(REALM)), brief));
    expect([tooBrief.status, tooBrief.headers.get("Min-Expires")]).toEqual([423, "60"]);
    expect((await send(register(credentials(nonces.issue(REALM)), badContact))).status).toBe(400);
  });
});

/** The authentication stage on its own: a memory store, a real nonce service, requests built from text. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log/logger.js";
import type { SipRequest, SipResponse } from "../../sip/message/index.js";
import type { DigestAuthenticator } from "./digest-authenticator.js";
import { credentials, REALM, register, setup } from "./test-support.js";

async function run(auth: DigestAuthenticator, request: SipRequest) {
  const answers: SipResponse[] = [];
  const stateless: boolean[] = [];
  const source = { transport: "UDP" as const, address: "192.0.2.10", port: 5060, localAddress: "127.0.0.1", localPort: 5060 };
  const respond = (r: SipResponse, s = false): void => {
    answers.push(r);
    stateless.push(s);
  };
  const user = await auth.authenticate({ request, source, log: createLogger("silent"), respond });
  return { user, answer: answers[0], stateless: stateless[0] };
}

describe("digest authentication stage (RFC 3261 §22, RFC 7616, RFC 8760)", () => {
  it("MUST challenge without credentials, with the configured algorithms in order (RFC 8760 §2.4)", async () => {
    const { auth } = setup();
    const { user, answer, stateless } = await run(auth, register());
    expect(user).toBeUndefined();
    expect(answer!.status).toBe(401);
    // RFC 3261 §8.2.7: a challenge keeps no transaction; a retransmission is challenged afresh.
    expect(stateless).toBe(true);
    expect(answer!.headers.values("WWW-Authenticate").map((v) => /algorithm=([\w-]+)/.exec(v)![1])).toEqual(["SHA-256", "MD5"]);
  });

  it("MUST accept right credentials, and refuse the same nonce count again (replay → stale challenge)", async () => {
    const { auth, nonces } = setup();
    const nonce = nonces.issue(REALM);
    expect((await run(auth, register(credentials(nonce)))).user?.extension).toBe("2001");
    const replay = await run(auth, register(credentials(nonce)));
    expect(replay.user).toBeUndefined();
    expect(replay.answer!.headers.get("WWW-Authenticate")).toMatch(/stale=true/);
  });

  it("SHOULD answer 400 when the digest uri is not the Request-URI (RFC 7616 §3.4.6)", async () => {
    const { auth, nonces } = setup();
    const { answer } = await run(auth, register(credentials(nonces.issue(REALM), { uri: "sip:elsewhere.example" })));
    expect(answer!.status).toBe(400);
  });

  it("MUST answer an unknown user exactly as a known user with a wrong password", async () => {
    const { auth, nonces } = setup();
    const wrong = await run(auth, register(credentials(nonces.issue(REALM), { password: "guess" })));
    const unknown = await run(auth, register(credentials(nonces.issue(REALM), { username: "2999" })));
    expect([unknown.answer!.status, unknown.answer!.reason]).toEqual([wrong.answer!.status, wrong.answer!.reason]);
    // A wrong answer keeps its transaction: a retransmission of it must not count as a second failure.
    expect([wrong.stateless, unknown.stateless]).toEqual([false, false]);
    expect(unknown.answer!.headers.fields.map((f) => f.key)).toEqual(wrong.answer!.headers.fields.map((f) => f.key));
  });

  it("MUST block a user after repeated failures, refusing even the right password with 403", async () => {
    const { auth, nonces } = setup({ perUser: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await run(auth, register(credentials(nonces.issue(REALM), { password: "guess" })))).answer!.status);
    expect(statuses).toEqual([401, 401, 403]);
    expect((await run(auth, register(credentials(nonces.issue(REALM))))).answer!.status).toBe(403);
  });

  it("challenges a request without credentials with no store command", async () => {
    const { auth, commands } = setup();
    expect((await run(auth, register())).answer!.status).toBe(401);
    expect(commands).toEqual([]);
  });

  it("checks a request with credentials (blocks and nonce count) with one store command", async () => {
    const { auth, nonces, commands } = setup();
    expect((await run(auth, register(credentials(nonces.issue(REALM))))).user?.extension).toBe("2001");
    expect(commands).toEqual(["checkCredentials"]);
  });

  it("MUST refuse with 403, with no store command, a request without credentials from a source this node blocked", async () => {
    const { auth, nonces, commands } = setup({ perSource: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await run(auth, register(credentials(nonces.issue(REALM), { password: "guess" })))).answer!.status);
    expect(statuses).toEqual([401, 403]);
    commands.length = 0;
    expect((await run(auth, register())).answer!.status).toBe(403);
    expect(commands).toEqual([]);
  });

  it("challenges once a source blocked by the other node, refuses its credentials (403) from the store, and then refuses it without a challenge", async () => {
    const a = setup({ perSource: 2 });
    const b = setup({ shared: a.store });
    for (let i = 0; i < 2; i++) await run(a.auth, register(credentials(a.nonces.issue(REALM), { password: "guess" })));
    expect(await a.store.blockedUntil("source:192.0.2.10")).toBeDefined();
    // Node B has not heard of the block: a challenge verifies nothing, so it may give one.
    expect((await run(b.auth, register())).answer!.status).toBe(401);
    // The right password is refused: every request with credentials asks the store.
    const right = await run(b.auth, register(credentials(b.nonces.issue(REALM))));
    expect([right.user, right.answer!.status]).toEqual([undefined, 403]);
    // Learnt: the source's next request without credentials is refused at once.
    b.commands.length = 0;
    expect((await run(b.auth, register())).answer!.status).toBe(403);
    expect(b.commands).toEqual([]);
  });
});

/**
 * Registration (RFC 3261 §10, §22; RFC 7616; RFC 8760) driven by sipp, a real SIP
 * peer, over UDP and TCP on loopback.
 *
 * sipp 3.6.1 cannot answer the node's challenge by itself: it computes MD5 only and
 * reads the first `algorithm=` of the 401, which is SHA-256 (the last test here
 * keeps that on record). So sipp sends and receives every SIP message, and hands
 * each challenge to the test, its 3PCC twin, for the Authorization
 * (support/sipp-twin.ts); the digest is computed by the test's own code
 * (support/digest-client.ts), not by the node's.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readChallenges, type Challenge } from "./support/digest-client.js";
import { LOOPBACK_CONFIG, startTestNode, type TestNode } from "./support/in-process-node.js";
import { headerParam, headerValue, headerValues } from "./support/sip-text.js";
import { runSipp } from "./support/sipp.js";
import { received, sent, type TracedMessage } from "./support/sipp-message-log.js";
import { answerWith, commandChallenges, registerWithSipp, type Credentials, type SippRegisterRun } from "./support/sipp-register.js";
import type { Authorize } from "./support/sipp-twin.js";
import { TEST_REALM, testDirectory } from "./support/test-directory.js";

const NODE_NAME = "sipp-suite";
const NONCE_LIFETIME_SECONDS = 10;
const password = (extension: string) => `brass-kettle-${extension}`;
const EXTENSIONS = Array.from({ length: 30 }, (_, i) => String(2001 + i));
const aor = (extension: string) => `sip:${extension}@${TEST_REALM}`;

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode({
    yaml:
      LOOPBACK_CONFIG +
      `node:\n  name: ${NODE_NAME}\n` +
      // perSource is raised so that the failures this file makes on purpose, all
      // from 127.0.0.1, never block the address; perUser stays at its default (10).
      `auth:\n  nonceLifetimeSeconds: ${NONCE_LIFETIME_SECONDS}\n  failures: { perSource: 1000 }\n` +
      "registrar:\n  minExpires: 60\n",
    directory: testDirectory(EXTENSIONS.map((extension) => ({ extension, password: password(extension) }))),
  });
});
afterAll(async () => {
  await node?.stop();
});

interface TransportCase {
  readonly transport: "UDP" | "TCP";
  readonly sipp: "u1" | "t1";
  /** Each case registers its own users (base + offset), so the cases share no bindings. */
  readonly offset: number;
}
const TRANSPORTS: readonly TransportCase[] = [
  { transport: "UDP", sipp: "u1", offset: 0 },
  { transport: "TCP", sipp: "t1", offset: 1 },
];
const user = (base: number, c: TransportCase) => String(base + c.offset);
const right = (extension: string, algorithm?: Credentials["algorithm"]): Credentials => ({
  username: extension,
  password: password(extension),
  ...(algorithm !== undefined && { algorithm }),
});

async function register(
  c: TransportCase,
  scenario: string,
  extension: string,
  authorize: Authorize,
  expires?: number,
): Promise<SippRegisterRun> {
  return registerWithSipp({
    scenario,
    remote: node.endpoint(c.transport),
    transport: c.sipp,
    user: extension,
    authorize,
    ...(expires !== undefined && { expires }),
  });
}

/** The node's responses, in the order sipp received them. */
const responses = (run: SippRegisterRun): TracedMessage[] => received(run.messages);
const statuses = (run: SippRegisterRun) => responses(run).map((r) => r.status);
const challengesOf = (response: TracedMessage | undefined): Challenge[] => readChallenges(response ? headerValues(response, "WWW-Authenticate") : []);

/** The Contact of the REGISTERs sipp sent, as written between the brackets. */
function sentContact(run: SippRegisterRun): string {
  const contact = headerValue(sent(run.messages)[0]!, "Contact") ?? "";
  return /<([^>]*)>/.exec(contact)?.[1] ?? contact;
}

/** The 200's Contact values as (URI, expires). */
function listedContacts(response: TracedMessage): Array<{ uri: string; expires: number | undefined }> {
  return headerValues(response, "Contact")
    .flatMap((v) => v.split(/,(?=\s*<)/))
    .map((v) => ({ uri: /<([^>]*)>/.exec(v)?.[1] ?? v, expires: Number(headerParam(v, "expires")) }));
}

const ok = (run: SippRegisterRun) => expect(run.code, run.summary).toBe(0);

describe.each(TRANSPORTS)("REGISTER from sipp over $transport", (c) => {
  let registered: SippRegisterRun;
  const extension = user(2001, c);
  beforeAll(async () => {
    registered = await register(c, "uac-register-digest-expect-401-then-200.xml", extension, answerWith(right(extension)));
  });

  it("MUST challenge a REGISTER without credentials with 401: SHA-256 first, then MD5, each qop=auth in the node's realm (RFC 3261 §22.1; RFC 8760 §2.4)", () => {
    ok(registered);
    const [challenge] = responses(registered);
    expect(challenge?.status).toBe(401);
    const offered = challengesOf(challenge);
    expect(offered.map((o) => o.algorithm)).toEqual(["SHA-256", "MD5"]);
    for (const o of offered) {
      expect(o.realm).toBe(TEST_REALM);
      expect(o.qop).toBe("auth");
      expect(o.stale).toBe(false);
    }
    // One nonce for both algorithms, as in RFC 7616 §3.9.1's example.
    expect(new Set(offered.map((o) => o.nonce)).size).toBe(1);
    // What sipp handed the twin is what it received.
    expect(commandChallenges(registered.commands[0]!).map((o) => o.nonce)).toEqual(offered.map((o) => o.nonce));
  });

  it("MUST register on the answer to the SHA-256 challenge: 200 listing the Contact with its expires, and a Date (RFC 3261 §10.3 step 8)", () => {
    ok(registered);
    const final = responses(registered).at(-1)!;
    expect(final.status).toBe(200);
    expect(listedContacts(final)).toEqual([{ uri: sentContact(registered), expires: 3600 }]);
    const date = headerValue(final, "Date") ?? "";
    // RFC 3261 §20.17: rfc1123-date, always in GMT.
    expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Math.abs(Date.parse(date) - Date.now())).toBeLessThan(10_000);
  });

  it("MUST keep the binding's source (transport, address, port, connection) and the node's name (RFC 5626 flow)", async () => {
    ok(registered);
    const bindings = await node.node.stateStore.getBindings(aor(extension));
    expect(bindings).toHaveLength(1);
    const [binding] = bindings;
    expect(binding!.contact).toBe(sentContact(registered));
    expect(binding!.node).toBe(NODE_NAME);
    expect(binding!.userAgent).toBe("sipp");
    expect(binding!.source.transport).toBe(c.transport);
    expect(binding!.source.address).toBe("127.0.0.1");
    if (c.transport === "UDP") {
      // sipp sends UDP from its -p port, the one in its Via.
      const via = headerValue(sent(registered.messages)[0]!, "Via") ?? "";
      expect(binding!.source.port).toBe(Number(/:(\d+);/.exec(via)?.[1]));
      expect(binding!.source.connectionId).toBeUndefined();
    } else {
      expect(binding!.source.port).toBeGreaterThan(0);
      expect(binding!.source.connectionId).toBeDefined();
    }
  });

  it("MUST accept an answer to the MD5 challenge too, the one kept for older phones (RFC 8760 §2.4)", async () => {
    const md5User = user(2003, c);
    const run = await register(c, "uac-register-digest-expect-401-then-200.xml", md5User, answerWith(right(md5User, "MD5")));
    ok(run);
    expect(statuses(run)).toEqual([401, 200]);
    expect(await node.node.stateStore.getBindings(aor(md5User))).toHaveLength(1);
  });

  it("MUST challenge again with 401 when the password is wrong, and bind nothing (RFC 3261 §22.4)", async () => {
    const wrong = user(2005, c);
    const run = await register(c, "uac-register-digest-expect-401-then-401.xml", wrong, answerWith({ username: wrong, password: "not-the-password" }));
    ok(run);
    expect(statuses(run)).toEqual([401, 401]);
    expect(challengesOf(responses(run)[1]).map((o) => [o.algorithm, o.stale])).toEqual([
      ["SHA-256", false],
      ["MD5", false],
    ]);
    expect(await node.node.stateStore.getBindings(aor(wrong))).toEqual([]);
  });

  it("MUST answer an unknown user exactly as a known user with a wrong password: same status, same header fields, no hint", async () => {
    const known = user(2005, c);
    const unknown = user(9001, c);
    const knownRun = await register(c, "uac-register-digest-expect-401-then-401.xml", known, answerWith({ username: known, password: "guess-1" }));
    const unknownRun = await register(c, "uac-register-digest-expect-401-then-401.xml", unknown, answerWith({ username: unknown, password: "guess-1" }));
    ok(knownRun);
    ok(unknownRun);
    // Fields that echo the request (Via, From, To, Call-ID, CSeq) differ by run in
    // value, never in name or order; every other value must be the same, nonces aside.
    const echoed = new Set(["via", "from", "to", "call-id", "cseq"]);
    const shape = (r: TracedMessage) => ({
      status: r.status,
      reason: r.reason,
      fields: r.fields.map(([name, value]) =>
        echoed.has(name.toLowerCase()) ? [name] : [name, value.replace(/nonce="[^"]*"/, 'nonce="…"').replace(/;tag=[^;\s]*/, ";tag=…")],
      ),
    });
    expect(responses(unknownRun).map(shape)).toEqual(responses(knownRun).map(shape));
    expect(await node.node.stateStore.getBindings(aor(unknown))).toEqual([]);
  });

  it("MUST remove a binding on Expires: 0: 200 without that Contact, and nothing left in the store (RFC 3261 §10.2.2)", async () => {
    const leaving = user(2007, c);
    const run = await register(c, "uac-register-then-unregister-expect-200-without-contact.xml", leaving, answerWith(right(leaving)));
    ok(run);
    const [, registeredOk, , removedOk] = responses(run);
    expect(statuses(run)).toEqual([401, 200, 401, 200]);
    expect(listedContacts(registeredOk!).map((b) => b.uri)).toEqual([sentContact(run)]);
    expect(headerValues(removedOk!, "Contact")).toEqual([]);
    expect(await node.node.stateStore.getBindings(aor(leaving))).toEqual([]);
  });

  it("MUST grant an expiry above the minimum as asked: expires=61 in the 200, the binding expiring 61 s from now", async () => {
    const brief = user(2009, c);
    const run = await register(c, "uac-register-digest-expect-401-then-200.xml", brief, answerWith(right(brief)), 61);
    ok(run);
    expect(listedContacts(responses(run).at(-1)!)).toEqual([{ uri: sentContact(run), expires: 61 }]);
    const [binding] = await node.node.stateStore.getBindings(aor(brief));
    expect(Math.abs(binding!.expiresAt - (Date.now() + 61_000))).toBeLessThanOrEqual(2_000);
  });

  it("MUST refuse an expiry below registrar.minExpires with 423 and Min-Expires: 60, binding nothing (RFC 3261 §10.3 step 7)", async () => {
    const hasty = user(2011, c);
    const run = await register(c, "uac-register-digest-expect-401-then-423.xml", hasty, answerWith(right(hasty)), 10);
    ok(run);
    const refusal = responses(run).at(-1)!;
    expect(refusal.status).toBe(423);
    expect(headerValue(refusal, "Min-Expires")).toBe("60");
    expect(await node.node.stateStore.getBindings(aor(hasty))).toEqual([]);
  });

  it("MUST challenge a replayed nonce count with 401 stale=true and fresh nonces (RFC 7616 §3.4)", async () => {
    const replayer = user(2013, c);
    const run = await register(c, "uac-register-replayed-nonce-count-expect-200-then-401.xml", replayer, answerWith(right(replayer)));
    ok(run);
    expect(statuses(run)).toEqual([401, 200, 401]);
    const used = commandChallenges(run.commands[0]!).map((o) => o.nonce);
    const again = challengesOf(responses(run)[2]);
    expect(again.map((o) => [o.algorithm, o.stale])).toEqual([
      ["SHA-256", true],
      ["MD5", true],
    ]);
    for (const o of again) expect(used).not.toContain(o.nonce);
  });

  it(`MUST answer right credentials for a nonce older than auth.nonceLifetimeSeconds (${NONCE_LIFETIME_SECONDS} s) with 401 stale=true (RFC 7616 §3.3)`, async () => {
    // The nonce is one the node really issued to sipp. Rather than wait out its
    // lifetime, the twin moves the node's clock on before it answers: the node runs
    // in this process and its NonceService reads Date.now, so the nonce is as old,
    // to the node, as if 11 s had passed (the state store keeps the Date.now it
    // captured at start, so bindings and blocks are untouched). No src change, no
    // sleep; the clock is put back once sipp is done.
    const late = user(2015, c);
    const realNow = Date.now;
    const answer = answerWith(right(late));
    let run: SippRegisterRun;
    try {
      run = await register(c, "uac-register-digest-expect-401-then-401.xml", late, (command, index) => {
        const value = answer(command, index);
        vi.spyOn(Date, "now").mockImplementation(() => realNow() + (NONCE_LIFETIME_SECONDS + 1) * 1000);
        return value;
      });
    } finally {
      vi.restoreAllMocks();
    }
    ok(run);
    expect(statuses(run)).toEqual([401, 401]);
    const answered = commandChallenges(run.commands[0]!)[0]!.nonce;
    const again = challengesOf(responses(run)[1]);
    expect(again.map((o) => [o.algorithm, o.stale])).toEqual([
      ["SHA-256", true],
      ["MD5", true],
    ]);
    expect(again.map((o) => o.nonce)).not.toContain(answered);
    expect(await node.node.stateStore.getBindings(aor(late))).toEqual([]);
  });

  it("MUST refuse with 500 an update whose CSeq is not higher for the same Call-ID, keeping the binding (RFC 3261 §10.3 step 7)", async () => {
    const repeat = user(2017, c);
    const run = await register(c, "uac-register-repeated-cseq-expect-500.xml", repeat, answerWith(right(repeat)));
    ok(run);
    expect(statuses(run)).toEqual([401, 200, 401, 500]);
    const bindings = await node.node.stateStore.getBindings(aor(repeat));
    expect(bindings.map((b) => b.cseq)).toEqual([2]);
  });

  it("MUST refuse with 403 a user registering an address of record not its own (RFC 3261 §10.3 step 3)", async () => {
    const victim = user(2019, c);
    const intruder = user(2021, c);
    const run = await register(c, "uac-register-digest-expect-401-then-403.xml", victim, answerWith(right(intruder)));
    ok(run);
    expect(statuses(run)).toEqual([401, 403]);
    expect(await node.node.stateStore.getBindings(aor(victim))).toEqual([]);
    expect(await node.node.stateStore.getBindings(aor(intruder))).toEqual([]);
  });
});

describe("every binding of an address of record", () => {
  const extension = "2030";

  it("MUST list every binding in the 200 (RFC 3261 §10.3 step 8), and remove them all on Contact: * with Expires: 0 (§10.3 step 6)", async () => {
    const [udp, tcp] = TRANSPORTS as [TransportCase, TransportCase];
    const first = await register(udp, "uac-register-digest-expect-401-then-200.xml", extension, answerWith(right(extension)));
    const second = await register(tcp, "uac-register-digest-expect-401-then-200.xml", extension, answerWith(right(extension)));
    ok(first);
    ok(second);
    const listed = listedContacts(responses(second).at(-1)!);
    expect(listed.map((b) => b.uri).sort()).toEqual([sentContact(first), sentContact(second)].sort());
    for (const b of listed) expect(b.expires).toBeGreaterThan(3590);
    expect(await node.node.stateStore.getBindings(aor(extension))).toHaveLength(2);

    const removal = await register(udp, "uac-unregister-all-expect-401-then-200.xml", extension, answerWith(right(extension)));
    ok(removal);
    expect(statuses(removal)).toEqual([401, 200]);
    expect(headerValues(responses(removal).at(-1)!, "Contact")).toEqual([]);
    expect(await node.node.stateStore.getBindings(aor(extension))).toEqual([]);
  });
});

describe("failed authentication, throttled", () => {
  // A node of its own: its failure counts start at zero and its limit is low.
  let guarded: TestNode;
  const blocked = "3001";
  const bystander = "3002";
  const udp = TRANSPORTS[0]!;
  beforeAll(async () => {
    guarded = await startTestNode({
      yaml: LOOPBACK_CONFIG + "auth:\n  failures: { perUser: 3, windowSeconds: 60, blockSeconds: 60, perSource: 100 }\n",
      directory: testDirectory([blocked, bystander].map((extension) => ({ extension, password: password(extension) }))),
    });
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  const attempt = (scenario: string, extension: string, credentials: Credentials) =>
    registerWithSipp({ scenario, remote: guarded.endpoint("UDP"), transport: udp.sipp, user: extension, authorize: answerWith(credentials) });

  it("MUST refuse a user with 403 from its auth.failures.perUser-th failure (3) for blockSeconds, even with the right password; other users are not affected", async () => {
    const wrong = { username: blocked, password: "guess" };
    for (let failure = 1; failure <= 2; failure++) {
      const run = await attempt("uac-register-digest-expect-401-then-401.xml", blocked, wrong);
      ok(run);
      expect(statuses(run), `failure ${failure}`).toEqual([401, 401]);
    }
    // The failure that reaches the limit blocks at once: it is answered 403, not 401.
    const third = await attempt("uac-register-digest-expect-401-then-403.xml", blocked, wrong);
    ok(third);
    expect(statuses(third)).toEqual([401, 403]);
    const until = await guarded.node.stateStore.blockedUntil(`user:${blocked}`);
    expect(Math.abs(until! - (Date.now() + 60_000))).toBeLessThanOrEqual(2_000);

    const fourth = await attempt("uac-register-digest-expect-401-then-403.xml", blocked, wrong);
    ok(fourth);
    expect(statuses(fourth)).toEqual([401, 403]);
    const rightWhileBlocked = await attempt("uac-register-digest-expect-401-then-403.xml", blocked, right(blocked));
    ok(rightWhileBlocked);
    expect(statuses(rightWhileBlocked)).toEqual([401, 403]);
    expect(await guarded.node.stateStore.getBindings(aor(blocked))).toEqual([]);

    // The block is the user's, not the address's (perSource is far off).
    const other = await attempt("uac-register-digest-expect-401-then-200.xml", bystander, right(bystander));
    ok(other);
    expect(statuses(other)).toEqual([401, 200]);
  });
});

describe("sipp's own digest", () => {
  it("records that sipp 3.6.1's [authentication] gives up on the default 401, which lists SHA-256 first: sipp answers MD5 only", async () => {
    const extension = "2029";
    const run = await runSipp({
      scenario: "uac-register-sipp-digest-expect-401-then-200.xml",
      remote: node.endpoint("UDP"),
      transport: "u1",
      extraArgs: ["-key", "user", extension, "-key", "domain", TEST_REALM, "-key", "expires", "3600", "-au", extension, "-ap", password(extension)],
    });
    // If this starts passing, sipp learned SHA-256: the twin in
    // support/sipp-twin.ts may then be dropped.
    expect(run.code, run.summary).not.toBe(0);
    expect(`${run.stdout}\n${run.stderr}`).toContain("authentication must use MD5 or AKAv1-MD5");
    expect(received(run.messages).map((r) => r.status)).toEqual([401]);
    expect(sent(run.messages)).toHaveLength(1);
  });

  it("MUST register sipp with its own digest against a node told to list MD5 first (auth.algorithms)", async () => {
    const md5First = await startTestNode({
      yaml: `${LOOPBACK_CONFIG}auth:\n  algorithms: [MD5, SHA-256]\n`,
      directory: testDirectory([{ extension: "2030", password: password("2030") }]),
    });
    try {
      const run = await runSipp({
        scenario: "uac-register-sipp-digest-expect-401-then-200.xml",
        remote: md5First.endpoint("UDP"),
        transport: "u1",
        extraArgs: ["-key", "user", "2030", "-key", "domain", TEST_REALM, "-key", "expires", "3600", "-au", "2030", "-ap", password("2030"), "-auth_uri", TEST_REALM],
      });
      expect(run.code, run.summary).toBe(0);
      expect(received(run.messages).map((r) => r.status)).toEqual([401, 200]);
      expect(await md5First.node.stateStore.getBindings(aor("2030"))).toHaveLength(1);
    } finally {
      await md5First.stop();
    }
  });
});

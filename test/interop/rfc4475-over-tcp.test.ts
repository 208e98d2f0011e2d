/**
 * The RFC 4475 torture messages, each written unchanged on its own TCP connection:
 * the RFC's own bytes are the peer. Over a stream the node must frame by
 * Content-Length, answer what a UAS owes each request on the same connection,
 * close the connection when the framing is lost, and send nothing for responses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "./support/in-process-node.js";
import { loadTortureManifest, tortureBytes, type TortureMessage } from "./support/rfc4475-corpus.js";
import { headerValue } from "./support/sip-text.js";
import { SipStreamClient } from "./support/sip-stream-client.js";

type Expectation =
  /** This final status; `header` must be present in the response when named. */
  | { readonly kind: "status"; readonly status: number; readonly header?: string; readonly rule: "MUST" | "SHOULD" }
  /** 400 with a reason phrase that is not empty (the node says what was wrong). */
  | { readonly kind: "bad-request"; readonly rule: "MUST" | "SHOULD" }
  /** Any of the statuses the RFC allows for this message. */
  | { readonly kind: "one-of"; readonly statuses: readonly number[] }
  /** Parsed as well-formed: any final status but 400 and 505. */
  | { readonly kind: "parses" }
  /** The stream framing is lost: the node closes the connection. */
  | { readonly kind: "closes" }
  /** A response: nothing comes back, and the connection still serves a request. */
  | { readonly kind: "silent" }
  | { readonly kind: "skip"; readonly reason: string };

const status = (code: number, rule: "MUST" | "SHOULD" = "SHOULD", header?: string): Expectation => ({ kind: "status", status: code, rule, header });
const badRequest = (rule: "MUST" | "SHOULD" = "SHOULD"): Expectation => ({ kind: "bad-request", rule });

/**
 * What a UAS owes each message, by the RFC 4475 section that describes it. Responses
 * (silent) and valid requests (parses) follow from the manifest; every other
 * message is listed here, and a test below keeps the table and the manifest in step.
 */
const EXPECTED: Readonly<Record<string, Expectation>> = {
  // §3.1.1.2, §3.1.1.5: unknown methods (RE%47IST%45R is not REGISTER); RFC 3261 §21.5.2.
  intmeth: status(501, "SHOULD", "Allow"),
  esc02: status(501, "SHOULD", "Allow"),
  // §3.1.1.6, §3.1.1.9, §3.1.1.10: valid OPTIONS, answered as any OPTIONS (RFC 3261 §11.2).
  lwsdisp: status(200),
  semiuri: status(200),
  transports: status(200),
  // §3.1.2.1 (bad Via and Contact params), §3.1.2.4 (CSeq > 2**32-1), §3.1.2.6 (unbalanced quote).
  badinv01: badRequest(),
  scalar02: badRequest(),
  quotbal: badRequest(),
  // §3.1.2.2: on a stream, a Content-Length past the end means "wait for more data";
  // the node rightly waits until its idle timeout (10 minutes by default).
  clerr: { kind: "skip", reason: "a stream waits for the rest of the body until the idle timeout" },
  // §3.1.2.3 (negative Content-Length), §3.3.9 (two Content-Lengths): framing is lost.
  ncl: { kind: "closes" },
  mcl01: { kind: "closes" },
  // §3.1.2.7-§3.1.2.11: malformed Request-Lines (<> around the URI, LWS in it, extra
  // or trailing SP, escaped headers). The RFC lets an element be liberal with the
  // last three; Strowger rejects them all, never forwarding a broken Request-URI.
  ltgtruri: badRequest(),
  lwsruri: badRequest(),
  lwsstart: badRequest(),
  trws: badRequest(),
  escruri: badRequest(),
  // §3.1.2.12: a non-GMT Date is only an error where the Date matters, and here it does not.
  baddate: { kind: "parses" },
  // §3.1.2.13 (Contact URI with headers outside <>), §3.1.2.14 (spaces in addr-spec).
  regbadct: badRequest(),
  badaspec: badRequest(),
  // §3.1.2.15: baddn.dat, as the RFC archive has it, lacks the empty line after its
  // headers, so on a stream it never frames and the node waits, like clerr. (Over
  // UDP a datagram ends the message; the parser's unit tests cover that case.)
  baddn: { kind: "skip", reason: "no empty line after the headers: never frames on a stream" },
  // §3.1.2.16: SIP/7.0.
  badvers: status(505),
  // §3.1.2.17: CSeq method differs from the request method.
  mismatch01: badRequest(),
  // §3.1.2.18: the same with an unknown method: 501, or 400.
  mismatch02: { kind: "one-of", statuses: [501, 400] },
  // §3.2.1: a branch without the magic cookie: 400, or RFC 2543 matching and an answer.
  badbranch: { kind: "one-of", statuses: [200, 400] },
  // §3.3.1: no Call-ID, From or To.
  insuf: badRequest(),
  // §3.3.2, §3.3.3: Request-URI schemes the node does not know; RFC 3261 §8.2.2.1.
  unkscm: status(416),
  novelsc: status(416),
  // §3.3.4: To is not a SIP AOR: a registrar answers 400. It authenticates first
  // (RFC 3261 §10.3 step 3 comes before step 5), so an unauthenticated REGISTER gets
  // its 401 before anyone reads the To.
  unksm2: { kind: "one-of", statuses: [400, 401] },
  // §3.3.5: Require/Proxy-Require with unknown option tags; RFC 3261 §8.2.2.3.
  bext01: status(420, "MUST", "Unsupported"),
  // §3.3.6 (unknown Content-Type: 415 from a UAS), §3.3.7 (Authorization in an
  // unknown scheme: 401, 405 or ignored): both parse, whatever the answer.
  invut: { kind: "parses" },
  regaut01: { kind: "parses" },
  // §3.3.8: several Call-ID, To, From, Max-Forwards and CSeq values.
  multi01: badRequest(),
  // §3.3.11: Max-Forwards 0; RFC 3261 §16.3 step 3.
  zeromf: status(483, "MUST"),
  // §3.3.15: Accept lacks application/sdp: the UAS that consumes the body answers 406
  // or 400; a proxy (which Strowger is for INVITE) does not look at Accept and routes it.
  sdp01: { kind: "parses" },
  // §3.1.1.8: the trailing octets are noise only in a datagram; on a stream they
  // are the start of a next message that never frames, and the node closes.
  dblreq: { kind: "skip", reason: "datagram semantics: only meaningful on UDP" },
  // §3.4.1: an RFC 2543 request with no Content-Length only frames as a datagram.
  inv2543: { kind: "skip", reason: "no Content-Length: only meaningful on UDP" },
};

function expectationOf(message: TortureMessage): Expectation | undefined {
  if (message.message_type === "response") return { kind: "silent" };
  return EXPECTED[message.name] ?? (message.kind === "valid" ? { kind: "parses" } : undefined);
}

function titleOf(e: Expectation): string {
  switch (e.kind) {
    case "status": return `${e.rule} answer ${e.status}${e.header ? ` with ${e.header}` : ""}`;
    case "bad-request": return `${e.rule} answer 400 with a reason phrase`;
    case "one-of": return `SHOULD answer one of ${e.statuses.join(", ")}`;
    case "parses": return "MUST parse it (any answer but 400 and 505)";
    case "closes": return "MUST close the connection (framing lost)";
    case "silent": return "MUST send nothing back and keep the connection usable";
    case "skip": return `skipped: ${e.reason}`;
  }
}

// Loopback answers come within milliseconds; the bound only limits how long a missing answer costs.
const ANSWER_MS = 2_000;
const manifest = loadTortureManifest();

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node?.stop();
});

async function connect(): Promise<SipStreamClient> {
  const { address, port } = node.endpoint("TCP");
  return SipStreamClient.connect(address, port);
}

/** A plain OPTIONS of the test's own, to show the connection still serves requests. */
function probe(callId: string): Buffer {
  return Buffer.from(
    [
      "OPTIONS sip:127.0.0.1 SIP/2.0",
      `Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-${callId}`,
      "From: <sip:probe@127.0.0.1>;tag=probe",
      "To: <sip:127.0.0.1>",
      `Call-ID: ${callId}`,
      "CSeq: 1 OPTIONS",
      "Max-Forwards: 70",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
    "latin1",
  );
}

describe("RFC 4475 torture messages over TCP", () => {
  it("has an expectation for every message of the manifest, and none for a message it lacks", () => {
    expect(manifest.filter((m) => !expectationOf(m)).map((m) => m.name)).toEqual([]);
    const names = new Set(manifest.map((m) => m.name));
    expect(Object.keys(EXPECTED).filter((name) => !names.has(name))).toEqual([]);
  });

  for (const message of manifest) {
    const expectation = expectationOf(message);
    if (!expectation) continue;
    const name = `§${message.section} ${message.name} (${message.title}): ${titleOf(expectation)}`;
    if (expectation.kind === "skip") {
      it.skip(name, () => {});
      continue;
    }
    it(name, async () => {
      const client = await connect();
      try {
        client.write(tortureBytes(message));
        await check(client, expectation, message);
      } finally {
        client.destroy();
      }
    });
  }
});

async function check(client: SipStreamClient, expectation: Expectation, message: TortureMessage): Promise<void> {
  switch (expectation.kind) {
    case "closes":
      await client.whenClosed(ANSWER_MS);
      return;
    case "silent": {
      const callId = `after-${message.name}-${Date.now()}`;
      client.write(probe(callId));
      // The stream is in order: anything sent for the torture response comes first.
      const response = await client.nextResponse(ANSWER_MS);
      expect(response.status, response.text).toBe(200);
      expect(headerValue(response, "Call-ID")).toBe(callId);
      return;
    }
    default: {
      const response = await client.nextFinalResponse(ANSWER_MS);
      const status = response.status ?? 0;
      if (expectation.kind === "status") {
        expect(status, response.text).toBe(expectation.status);
        if (expectation.header) expect(headerValue(response, expectation.header), response.text).toBeDefined();
      } else if (expectation.kind === "bad-request") {
        expect(status, response.text).toBe(400);
        expect(response.reason?.trim(), response.text).not.toBe("");
      } else if (expectation.kind === "one-of") {
        expect(expectation.statuses, response.text).toContain(status);
      } else {
        expect(status, response.text).toBeGreaterThanOrEqual(200);
        expect([400, 505], response.text).not.toContain(status);
      }
    }
  }
}

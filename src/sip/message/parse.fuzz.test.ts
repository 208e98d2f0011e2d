/**
 * Property tests: real messages (the RFC 4475 set) mutated at random. The parser
 * may accept or refuse, but it throws nothing but SipParseError, finishes quickly,
 * and refuses what is over its limits before it allocates for it.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkStructuredHeaders, parseMessage, serialize, SipParseError } from "./index.js";

const DIR = join(import.meta.dirname, "../../../../shared/testdata/rfc4475");
const seeds = readdirSync(DIR)
  .filter((f) => f.endsWith(".dat"))
  .map((f) => readFileSync(join(DIR, f)));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("token" as const), at: fc.nat(), text: fc.constantFrom("\r\n", "\r\n\r\n", ":", ";", ",", '"', "<", ">", "[", "]", " ", "\t", "%", "\r\n ", "=") }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(buf: Buffer, ops: Mutation[]): Buffer {
  let out = Buffer.from(buf);
  for (const op of ops) {
    const at = out.length === 0 ? 0 : op.at % out.length;
    if (op.kind === "flip") out[at] = op.byte;
    else if (op.kind === "insert") out = Buffer.concat([out.subarray(0, at), Buffer.from(op.bytes), out.subarray(at)]);
    else if (op.kind === "delete") out = Buffer.concat([out.subarray(0, at), out.subarray(at + op.length)]);
    else if (op.kind === "truncate") out = out.subarray(0, at);
    else out = Buffer.concat([out.subarray(0, at), Buffer.from(op.text, "latin1"), out.subarray(at)]);
  }
  return out;
}

/** Parse as a UAS does, and exercise every lazy getter, so that lazy paths are fuzzed too. */
function parseAll(buf: Buffer): void {
  const msg = parseMessage(buf);
  checkStructuredHeaders(msg);
  void [msg.fromTag, msg.toTag, msg.cseq, msg.maxForwards, msg.callId];
  parseMessage(serialize(msg));
}

describe("parser under mutation", () => {
  it("MUST throw nothing but SipParseError, and finish fast, on mutated real messages", () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, ops) => {
        const input = mutate(seed, ops);
        const started = performance.now();
        try {
          parseAll(input);
        } catch (err) {
          if (!(err instanceof SipParseError)) throw err;
          expect(err.status).toBeGreaterThanOrEqual(400);
        }
        // A bound for hangs and runaway backtracking, wide enough for a loaded 2-core CI machine.
        expect(performance.now() - started).toBeLessThan(500);
      }),
      { numRuns: 4000 },
    );
  });

  it("MUST round-trip whatever it accepts: parse(serialize(m)) has the same headers and body", () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { maxLength: 3 }), (seed, ops) => {
        let msg;
        try {
          msg = parseMessage(mutate(seed, ops));
        } catch {
          return;
        }
        const again = parseMessage(serialize(msg));
        expect(again.headers.fields.filter((f) => f.key !== "content-length").map((f) => f.value)).toEqual(
          msg.headers.fields.filter((f) => f.key !== "content-length").map((f) => f.value),
        );
        expect(Buffer.compare(again.body, msg.body)).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it("MUST refuse messages over the size, header-count and line-length limits", () => {
    const limits = { maxMessageBytes: 2048, maxHeaders: 20, maxLineLength: 256 };
    const base = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n";
    const code = (text: string) => {
      try {
        parseMessage(Buffer.from(text), limits);
        return "accepted";
      } catch (err) {
        return (err as SipParseError).code;
      }
    };
    expect(code(base + "\r\n")).toBe("accepted");
    expect(code(base + `X: ${"a".repeat(4000)}\r\n\r\n`)).toBe("SIP_MESSAGE_TOO_LARGE");
    expect(code(base + "X: y\r\n".repeat(30) + "\r\n")).toBe("SIP_TOO_MANY_HEADERS");
    expect(code(base + `X: ${"a".repeat(300)}\r\n\r\n`)).toBe("SIP_LINE_TOO_LONG");
    expect(code(base + `X: a\r\n${" b\r\n".repeat(200)}\r\n`)).toBe("SIP_LINE_TOO_LONG");
  });
});

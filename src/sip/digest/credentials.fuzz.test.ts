/**
 * Property tests: real Authorization values (RFC examples, phones' shapes) mutated at
 * random. The parser may accept or refuse, but it throws nothing but DigestError,
 * finishes quickly, and what it accepts it can write back and read again the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCredentials, parseCredentials, type DigestCredentials } from "./credentials.js";
import { parseChallenge } from "./challenge.js";
import { DigestError } from "./digest-error.js";
import { SEEDS } from "./testing.js";

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), code: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff })) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ maxLength: 16, unit: "binary" }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("repeat" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant("token" as const),
    at: fc.nat(),
    text: fc.constantFrom('"', "\\", ",", "=", " ", "\t", "\r\n", "\r\n ", "\n", "\r", ",,", '=""', "Digest ", "qop=auth", "algorithm=SHA-256", "nc=00000001", "\u0000", "\u00ff", "é"),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(seed: string, ops: readonly Mutation[]): string {
  let s = seed;
  for (const op of ops) {
    const at = s.length === 0 ? 0 : op.at % (s.length + 1);
    if (op.kind === "flip") s = s.slice(0, at) + String.fromCharCode(op.code) + s.slice(at + 1);
    else if (op.kind === "insert" || op.kind === "token") s = s.slice(0, at) + op.text + s.slice(at);
    else if (op.kind === "delete") s = s.slice(0, at) + s.slice(at + op.length);
    else if (op.kind === "truncate") s = s.slice(0, at);
    else s = s.slice(0, at) + s.slice(at, at + op.length) + s.slice(at);
  }
  return s;
}

/** Parses; a DigestError is an answer, any other exception fails the property. */
function tryParse(value: string): DigestCredentials | DigestError {
  try {
    return parseCredentials(value);
  } catch (err) {
    if (!(err instanceof DigestError)) throw err;
    expect(err.status === 400 || err.status === 401).toBe(true);
    expect(err.reason.length).toBeGreaterThan(0);
    return err;
  }
}

describe("parseCredentials under mutation", () => {
  it("MUST throw nothing but DigestError, and finish fast, on mutated real Authorization values", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, ops) => {
        const input = mutate(seed, ops);
        const started = performance.now();
        const result = tryParse(input);
        // A bound for hangs and runaway backtracking, wide enough for a loaded 2-core CI machine.
        expect(performance.now() - started).toBeLessThan(500);
        if (result instanceof DigestError) return;
        // What was accepted is written back and read again the same, or refused as unwritable.
        let text: string;
        try {
          text = formatCredentials(result);
        } catch (err) {
          expect(err).toBeInstanceOf(DigestError);
          expect((err as DigestError).code).toBe("SIP_DIGEST_CANNOT_FORMAT");
          return;
        }
        expect(parseCredentials(text)).toEqual({ ...result, scheme: "Digest" });
      }),
      { numRuns: 3000 },
    );
  });

  it("MUST throw nothing but DigestError on arbitrary text, for credentials and challenges", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "grapheme-ascii", maxLength: 200 }).map((s) => `Digest ${s}`)), (input) => {
        tryParse(input);
        try {
          parseChallenge(input);
        } catch (err) {
          if (!(err instanceof DigestError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("reads every well-formed list of auth-params it is given, whatever the values", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,12}$/);
    const quotedText = fc.string({ unit: "binary-ascii", maxLength: 20 }).filter((s) => [...s].every((ch) => ch === "\t" || (ch >= " " && ch !== "\u007f")));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(token, quotedText), { minLength: 1, maxLength: 8, selector: ([n]) => n.toLowerCase() }), (extra) => {
        const known = new Set(["username", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "opaque", "qop", "nc"]);
        const params = extra.filter(([n]) => !known.has(n.toLowerCase()));
        const quoted = params.map(([n, v]) => `${n}="${v.replace(/["\\]/g, "\\$&")}"`).join(", ");
        const value = `Digest username="u", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661"${quoted ? `, ${quoted}` : ""}`;
        const c = parseCredentials(value);
        for (const [n, v] of params) expect(c.params.get(n.toLowerCase())).toBe(v);
      }),
      { numRuns: 500 },
    );
  });
});

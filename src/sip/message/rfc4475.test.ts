/**
 * RFC 4475 torture tests (../shared/testdata/rfc4475): every message, with the
 * outcome the RFC asks of a parser, a UAS and a registrar.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkStructuredHeaders, parseMessage, serialize, SipParseError, type SipMessage } from "./index.js";

const DIR = join(import.meta.dirname, "../../../../shared/testdata/rfc4475");

interface Entry {
  name: string;
  kind: "valid" | "invalid" | "valid-but-unusual";
  message_type: "request" | "response";
  file: string;
  expected: string;
}
const manifest = JSON.parse(readFileSync(join(DIR, "manifest.json"), "utf8")) as Entry[];

/** Parse as a UAS would: the hot headers, then every structured header in full. */
function deepParse(buf: Buffer): SipMessage {
  const msg = parseMessage(buf);
  checkStructuredHeaders(msg);
  return msg;
}

function refusal(buf: Buffer): SipParseError {
  try {
    deepParse(buf);
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error("accepted a message the RFC says to refuse");
}

/** The status RFC 4475 asks for each invalid request; responses are dropped (no status). */
const REFUSED: Record<string, number | "drop"> = {
  badinv01: 400, clerr: 400, ncl: 400, scalar02: 400, quotbal: 400, ltgtruri: 400, lwsruri: 400,
  lwsstart: 400, trws: 400, escruri: 400, regbadct: 400, badaspec: 400, baddn: 400, badvers: 505,
  mismatch01: 400, mismatch02: 400, insuf: 400, multi01: 400, mcl01: 400,
  scalarlg: "drop", bigcode: "drop",
};
/** RFC 4475 lets an element ignore the defect when it does not use the header. */
const TOLERATED = new Set(["baddate"]);

describe("RFC 4475 torture tests", () => {
  it("has the whole manifest on disk", () => {
    expect(manifest.length).toBe(49);
  });

  for (const entry of manifest) {
    const buf = readFileSync(join(DIR, entry.file));
    if (entry.kind === "invalid" && !TOLERATED.has(entry.name)) {
      const want = REFUSED[entry.name];
      it(`${entry.name}: MUST refuse (${entry.expected})`, () => {
        const err = refusal(buf);
        if (want === "drop") expect(entry.message_type).toBe("response");
        else expect(err.status).toBe(want);
        expect(err.reason.length).toBeGreaterThan(0);
      });
      continue;
    }
    it(`${entry.name}: MUST parse and round-trip (${entry.kind})`, () => {
      const msg = deepParse(buf);
      expect(msg.kind).toBe(entry.message_type);
      const again = deepParse(serialize(msg));
      expect(again.kind).toBe(msg.kind);
      // serialize always states Content-Length (inv2543 has none), so compare the rest
      const fields = (m: SipMessage) => m.headers.fields.filter((f) => f.key !== "content-length").map((f) => [f.key, f.value]);
      expect(fields(again)).toEqual(fields(msg));
      expect(Buffer.compare(again.body, msg.body)).toBe(0);
      if (msg.kind === "request" && again.kind === "request") {
        expect([again.method, again.uri]).toEqual([msg.method, msg.uri]);
      }
    });
  }

  it("wsinv: MUST unfold, read compact forms and leading zeros", () => {
    const msg = parseMessage(readFileSync(join(DIR, "wsinv.dat")));
    expect(msg.cseq).toEqual({ seq: 9, method: "INVITE" });
    expect(msg.maxForwards).toBe(68);
    expect(msg.headers.get("NewFangledHeader")).toBe("newfangled value continued newfangled value");
    expect(msg.toTag).toBe("1918181833n");
    expect(msg.vias).toHaveLength(3);
  });

  it("intmeth: MUST keep every octet of an unknown method and header values", () => {
    const buf = readFileSync(join(DIR, "intmeth.dat"));
    const msg = parseMessage(buf);
    expect(msg.kind === "request" && msg.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    const again = serialize(msg);
    expect(again.indexOf(Buffer.from([0xd1, 0x80, 0xd0, 0xb0]))).toBeGreaterThan(0);
  });

  it("escnull: MUST keep %00 in the user part and see two contacts", () => {
    const msg = parseMessage(readFileSync(join(DIR, "escnull.dat")));
    expect(msg.to.uri).toContain("null-%00-null");
    expect(msg.headers.values("Contact")).toHaveLength(2);
  });

  it("esc02: MUST see two Contact values, not three", () => {
    const msg = parseMessage(readFileSync(join(DIR, "esc02.dat")));
    expect(msg.headers.values("Contact")).toHaveLength(2);
  });

  it("dblreq: MUST ignore octets past Content-Length in a datagram", () => {
    const msg = parseMessage(readFileSync(join(DIR, "dblreq.dat")));
    expect(msg.kind === "request" && msg.method).toBe("REGISTER");
    expect(msg.body.length).toBe(0);
  });

  it("mpart01: MUST frame a binary body by Content-Length", () => {
    const msg = parseMessage(readFileSync(join(DIR, "mpart01.dat")));
    expect(msg.body.length).toBe(Number(msg.headers.get("Content-Length")));
  });

  it("semiuri: MUST read the user part as user;par=u@example.net", () => {
    const msg = parseMessage(readFileSync(join(DIR, "semiuri.dat")));
    const uri = msg.kind === "request" ? msg.requestUri : undefined;
    expect(uri && "user" in uri && uri.user).toBe("user;par=u%40example.net");
  });

  it("badvers: MUST answer 505 Version Not Supported", () => {
    expect(refusal(readFileSync(join(DIR, "badvers.dat"))).status).toBe(505);
  });

  it("insuf: SHOULD keep what it read so that a 400 can still be sent", () => {
    const err = refusal(readFileSync(join(DIR, "insuf.dat")));
    expect(err.partial?.fields.some((f) => f.key === "via")).toBe(true);
  });
});

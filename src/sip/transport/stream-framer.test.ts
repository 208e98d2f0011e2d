import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { StreamFramer, type Frame } from "./stream-framer.js";
import { requestText } from "./test-support.js";

const TORTURE = new URL("../../../../shared/testdata/rfc4475/", import.meta.url);
const torture = (name: string): Promise<Buffer> => readFile(new URL(`${name}.dat`, TORTURE));

const MAX = 4096;
const messages = (frames: Frame[]): string[] =>
  frames.flatMap((f) => (f.kind === "message" ? [f.data.toString("latin1")] : []));

describe("StreamFramer (RFC 3261 §18.3)", () => {
  const one = requestText("SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1", { body: "hello world" });
  const two = requestText("SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK2");

  it("MUST frame a message by its Content-Length when it arrives one octet at a time", () => {
    const framer = new StreamFramer(MAX);
    const bytes = Buffer.from(one + two);
    const frames: Frame[] = [];
    for (let i = 0; i < bytes.length; i++) frames.push(...framer.push(bytes.subarray(i, i + 1)));
    expect(messages(frames)).toEqual([one, two]);
    expect(framer.pending).toBe(0);
  });

  it("MUST frame several messages that arrive in one chunk", () => {
    const framer = new StreamFramer(MAX);
    expect(messages(framer.push(Buffer.from(one + two + one)))).toEqual([one, two, one]);
  });

  it("MUST ignore CRLFs before a start line (§7.5)", () => {
    const framer = new StreamFramer(MAX);
    expect(framer.push(Buffer.from(`\r\n${one}\r\n`))).toEqual([{ kind: "message", data: Buffer.from(one) }]);
    expect(messages(framer.push(Buffer.from(two)))).toEqual([two]);
  });

  it("MUST report a double-CRLF keep-alive as a ping, even split across chunks (RFC 5626 §4.4.1)", () => {
    const framer = new StreamFramer(MAX);
    expect(framer.push(Buffer.from("\r\n"))).toEqual([]);
    expect(framer.push(Buffer.from("\r\n"))).toEqual([{ kind: "ping" }]);
    expect(framer.push(Buffer.from(`${one}\r\n\r\n${two}`)).map((f) => f.kind)).toEqual(["message", "ping", "message"]);
  });

  it("MUST read the compact form and a folded Content-Length", () => {
    const framer = new StreamFramer(MAX);
    const compact = one.replace("Content-Length: 11", "l:\r\n 11");
    expect(messages(framer.push(Buffer.from(compact + two)))).toEqual([compact, two]);
  });

  it("MUST treat a message without Content-Length as a framing error (RFC 4475 ncl on a stream)", () => {
    const framer = new StreamFramer(MAX);
    const frames = framer.push(Buffer.from(one.replace("Content-Length: 11\r\n", "")));
    expect(frames).toEqual([{ kind: "error", reason: "Missing Content-Length on a stream" }]);
  });

  it("MUST treat the negative Content-Length of RFC 4475 ncl as a framing error", async () => {
    expect(new StreamFramer(MAX).push(await torture("ncl"))).toEqual([{ kind: "error", reason: "Invalid Content-Length" }]);
  });

  it("MUST treat the conflicting Content-Lengths of RFC 4475 mcl01 as a framing error", async () => {
    expect(new StreamFramer(MAX).push(await torture("mcl01"))).toEqual([
      { kind: "error", reason: "Conflicting Content-Length values" },
    ]);
  });

  it("MUST wait for the rest of a body shorter than Content-Length (RFC 4475 clerr on a stream)", async () => {
    const framer = new StreamFramer(65_535);
    const clerr = await torture("clerr");
    expect(framer.push(clerr)).toEqual([]);
    expect(framer.pending).toBe(clerr.length);
  });

  it("MUST refuse a Content-Length beyond the message limit at once, without buffering the body", () => {
    const framer = new StreamFramer(MAX);
    const huge = one.replace("Content-Length: 11", "Content-Length: 100000");
    expect(framer.push(Buffer.from(huge.slice(0, -11)))).toEqual([{ kind: "error", reason: "Message larger than the limit" }]);
    expect(framer.pending).toBe(0);
  });

  it("MUST NOT buffer past the message limit while waiting for the end of a header", () => {
    const framer = new StreamFramer(MAX);
    const endless = Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nX: ${"x".repeat(1000)}\r\n`);
    const frames: Frame[] = [];
    for (let i = 0; i < 10 && frames.length === 0; i++) {
      frames.push(...framer.push(endless));
      expect(framer.pending).toBeLessThanOrEqual(MAX);
    }
    expect(frames).toEqual([{ kind: "error", reason: "Header larger than the message limit" }]);
  });

  it("MUST ignore all input after a framing error", () => {
    const framer = new StreamFramer(MAX);
    framer.push(Buffer.from("GARBAGE\r\n\r\n"));
    expect(framer.push(Buffer.from(one))).toEqual([]);
  });

  it("MUST hand over a message that does not parse but can be framed, for a 400", () => {
    const framer = new StreamFramer(MAX);
    const broken = "NOT A REQUEST LINE AT ALL\r\nContent-Length: 0\r\n\r\n";
    expect(messages(framer.push(Buffer.from(broken)))).toEqual([broken]);
  });
});

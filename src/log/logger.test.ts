import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe("logger", () => {
  it("MUST NOT log credentials: Authorization, passwords, secrets and HA1 are redacted", () => {
    const { lines, stream } = capture();
    const log = createLogger("info", stream);
    log.info({ authorization: 'Digest username="2001", response="abc"', user: { password: "hunter2", ha1: "deadbeef" }, secret: "s3" }, "register");
    const text = lines.join("");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("deadbeef");
    expect(text).not.toContain('response="abc"');
    expect(text).not.toContain("s3");
    expect(JSON.parse(lines[0]!).user.password).toBe("[redacted]");
  });

  it("puts the Call-ID of a child logger on every line it writes", () => {
    const { lines, stream } = capture();
    const call = createLogger("info", stream).child({ callId: "abc@host", branch: "z9hG4bK1" });
    call.info("one");
    call.warn("two");
    expect(lines.map((l) => JSON.parse(l).callId)).toEqual(["abc@host", "abc@host"]);
  });
});

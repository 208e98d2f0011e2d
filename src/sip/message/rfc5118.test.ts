/** RFC 5118 IPv6 torture tests (../shared/testdata/rfc5118), made wire-ready as its README says. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bareHost, checkStructuredHeaders, isSipUri, parseMessage, SipParseError } from "./index.js";

const DIR = join(import.meta.dirname, "../../../../shared/testdata/rfc5118");
const manifest = JSON.parse(readFileSync(join(DIR, "manifest.json"), "utf8")) as Array<{ name: string; kind: string; file: string }>;

/** LF → CRLF, an empty line after the headers, and a Content-Length that fits the body. */
function wireReady(file: string): Buffer {
  const text = readFileSync(join(DIR, file), "latin1").replace(/\r?\n/g, "\r\n");
  const split = text.indexOf("\r\n\r\n");
  const head = split === -1 ? text.replace(/(\r\n)*$/, "") : text.slice(0, split);
  const body = split === -1 ? "" : text.slice(split + 4);
  return Buffer.from(`${head.replace(/\r\nContent-Length: *\d+/i, `\r\nContent-Length: ${body.length}`)}\r\n\r\n${body}`, "latin1");
}

describe("RFC 5118 IPv6 torture tests", () => {
  for (const entry of manifest) {
    if (entry.kind === "invalid") {
      it(`${entry.name}: MUST refuse with 400`, () => {
        const msg = parseMessage(wireReady(entry.file));
        expect(() => checkStructuredHeaders(msg)).toThrow(SipParseError);
      });
    } else {
      it(`${entry.name}: MUST parse (${entry.kind})`, () => {
        const msg = parseMessage(wireReady(entry.file));
        checkStructuredHeaders(msg);
        expect(msg.vias.length).toBeGreaterThan(0);
      });
    }
  }

  it("port-unambiguous: [2001:db8::10]:5070 is the address with port 5070", () => {
    const msg = parseMessage(wireReady("port-unambiguous.dat"));
    const uri = msg.kind === "request" ? msg.requestUri : undefined;
    expect(uri && isSipUri(uri) && [bareHost(uri.host), uri.port]).toEqual(["2001:db8::10", 5070]);
  });

  it("port-ambiguous: [2001:db8::10:5070] is one address without a port", () => {
    const msg = parseMessage(wireReady("port-ambiguous.dat"));
    const uri = msg.kind === "request" ? msg.requestUri : undefined;
    expect(uri && isSipUri(uri) && [bareHost(uri.host), uri.port]).toEqual(["2001:db8::10:5070", undefined]);
  });

  it("ipv6-bug-abnf-3-colons: SHOULD read 2001:db8:::192.0.2.1 as 2001:db8::192.0.2.1", () => {
    const msg = parseMessage(wireReady("ipv6-bug-abnf-3-colons.dat"));
    const uri = msg.kind === "request" ? msg.requestUri : undefined;
    expect(uri && isSipUri(uri) && bareHost(uri.host)).toBe("2001:db8::192.0.2.1");
  });
});

import { describe, expect, it } from "vitest";
import { formatUri, parseUri, uriParam, uriTransport, unescapeUriPart, type SipUri, type TelUri } from "./uri.js";
import { SipParseError } from "./parse-error.js";

describe("URIs (RFC 3261 §19.1, RFC 3966)", () => {
  it("MUST read user, password, host, port, parameters and headers", () => {
    const uri = parseUri("sips:alice:secret@[2001:db8::1]:5061;transport=tls;lr?subject=project%20x&priority=urgent") as SipUri;
    expect(uri).toMatchObject({ scheme: "sips", user: "alice", password: "secret", host: "[2001:db8::1]", port: 5061 });
    expect(uriParam(uri, "lr")).toBeNull();
    expect(uriTransport(uri)).toBe("TLS");
    expect(uri.headers).toBe("subject=project%20x&priority=urgent");
  });

  it("MUST treat the scheme case-insensitively and round-trip what it read", () => {
    const raw = "SIP:+441785123456@gw.example.org;user=phone";
    const uri = parseUri(raw) as SipUri;
    expect(uri.scheme).toBe("sip");
    expect(formatUri(uri)).toBe("sip:+441785123456@gw.example.org;user=phone");
  });

  it("MUST read tel URIs with visual separators and parameters", () => {
    const uri = parseUri("tel:+44-1785-123456;phone-context=example.org") as TelUri;
    expect(uri.number).toBe("+44-1785-123456");
    expect(uriParam(uri, "phone-context")).toBe("example.org");
  });

  it("MUST keep other schemes whole (a UAS answers 416 for them)", () => {
    expect(parseUri("soap.beep://192.0.2.103:3002")).toEqual({ scheme: "soap.beep", rest: "//192.0.2.103:3002" });
  });

  it("MUST compare escaped and unescaped user parts as equal (§19.1.4)", () => {
    expect(unescapeUriPart("%61lice")).toBe("alice");
  });

  it.each(["sip:", "sip:alice@", "sip:host:99999", "sip:a b@host", "sip:[2001:db8::1", "sip:2001:db8::1", "1sip:host", "sip:host;=x"])(
    "MUST refuse %s",
    (raw) => {
      expect(() => parseUri(raw)).toThrow(SipParseError);
    },
  );
});

import { describe, expect, it } from "vitest";
import { formatVia, parseVia } from "./via.js";
import { SipParseError } from "./parse-error.js";

describe("Via (RFC 3261 §20.42, RFC 3581)", () => {
  it("MUST read sent-protocol, sent-by and parameters with LWS", () => {
    const via = parseVia("SIP / 2.0 / tcp  [::1]:5062 ; branch = z9hG4bKabc ; rport;received=[2001:db8::9:255]");
    expect(via).toMatchObject({ protocol: "SIP/2.0", transport: "TCP", host: "[::1]", port: 5062, branch: "z9hG4bKabc" });
    expect(via.params.map((p) => p.name)).toEqual(["branch", "rport", "received"]);
    expect(formatVia(via)).toBe("SIP/2.0/TCP [::1]:5062;branch=z9hG4bKabc;rport;received=[2001:db8::9:255]");
  });

  it("MUST accept a bare IPv6 received parameter (RFC 5118 §4.5)", () => {
    expect(parseVia("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3").branch).toBe("z9hG4bKas3");
  });

  it.each(["SIP/2.0/UDP", "SIP/2.0 UDP host", "SIP/2.0/UDP host;;", "SIP/2.0/UDP host;branch", "SIP/2.0/UDPhost"])("MUST refuse %s", (raw) => {
    expect(() => parseVia(raw)).toThrow(SipParseError);
  });
});

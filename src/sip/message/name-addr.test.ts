import { describe, expect, it } from "vitest";
import { formatNameAddr, nameAddrTag, parseNameAddr } from "./name-addr.js";
import { SipParseError } from "./parse-error.js";

describe("name-addr and addr-spec (RFC 3261 §20.10, §25.1)", () => {
  it("MUST read a quoted display name with escapes and header parameters", () => {
    const na = parseNameAddr(`"J Rosenberg \\\\\\"" <sip:jdrosen@example.com> ; tag = 98asjd8`);
    expect(na.displayName).toBe(`"J Rosenberg \\\\\\""`);
    expect(na.uri).toBe("sip:jdrosen@example.com");
    expect(nameAddrTag(na)).toBe("98asjd8");
  });

  it("MUST give parameters after an addr-spec to the header, not the URI", () => {
    const na = parseNameAddr("sip:alice@example.com;tag=1234");
    expect(na.uri).toBe("sip:alice@example.com");
    expect(nameAddrTag(na)).toBe("1234");
    expect(formatNameAddr(na)).toBe("<sip:alice@example.com>;tag=1234");
  });

  it("SHOULD accept a token display name with no space before < (RFC 4475 §3.1.1.6)", () => {
    expect(parseNameAddr("caller<sip:caller@example.com>;tag=323").displayName).toBe("caller");
  });

  it.each([`"unterminated <sip:a@b>`, "Bell, Alexander <sip:a@b>", "< sip:a@b >", "sip:a@b?Route=x", "<sip:a@b", "noscheme"])("MUST refuse %s", (raw) => {
    expect(() => parseNameAddr(raw)).toThrow(SipParseError);
  });
});

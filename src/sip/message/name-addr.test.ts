import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { formatNameAddr, nameAddrTag, parseNameAddr, scanTag } from "./name-addr.js";
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

describe("the tag read without a full parse", () => {
  it.each([
    ["<sip:a@b>;tag=1234", "1234"],
    ["sip:alice@example.com;tag=abc;other=1", "abc"],
    ["sip:alice@example.com;user=phone", undefined],
    ["<sip:a@b;tag=uri-param>;x=1", undefined],
    ["<sip:a@b> ; TAG = 98asjd8", "98asjd8"],
    [`"J Rosenberg \\\\\\"" <sip:jdrosen@example.com> ; tag = 98asjd8`, "98asjd8"],
    ["caller<sip:caller@example.com>;tag=323", "323"],
  ])("reads %s as the full parse does", (value, tag) => {
    expect(scanTag(value)).toBe(tag);
    expect(scanTag(value)).toBe(nameAddrTag(parseNameAddr(value)));
  });

  it("agrees with the full parse on every From and To of the RFC 4475 messages that parse", () => {
    const dir = join(import.meta.dirname, "../../../../shared/testdata/rfc4475");
    let compared = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".dat"))) {
      const text = readFileSync(join(dir, file), "latin1").split("\r\n\r\n")[0]!.replace(/\r\n[ \t]+/g, " ");
      for (const line of text.split("\r\n")) {
        const m = /^(from|f|to|t)\s*:\s*(.*)$/i.exec(line);
        if (!m) continue;
        let full: string | undefined;
        try {
          full = nameAddrTag(parseNameAddr(m[2]!.trim()));
        } catch {
          continue;
        }
        expect(scanTag(m[2]!.trim()), `${file}: ${line}`).toBe(full);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(60);
  });
});

import { describe, expect, it } from "vitest";
import { formatCredentials, parseCredentials } from "./credentials.js";
import { DigestError, type DigestErrorCode } from "./digest-error.js";
import { MAX_AUTH_VALUE_LENGTH } from "./parse-auth-params.js";
import { LEGACY_REGISTER, LINPHONE_REGISTER, RFC3261_22_4, RFC7616_SHA256, SEEDS, YEALINK_REGISTER } from "./testing.js";

function codeOf(value: string): DigestErrorCode | "no error" | "other error" {
  try {
    parseCredentials(value);
    return "no error";
  } catch (err) {
    return err instanceof DigestError ? err.code : "other error";
  }
}

describe("parseCredentials", () => {
  it("reads the RFC 3261 §22.4 example, folded over lines", () => {
    const c = parseCredentials(RFC3261_22_4);
    expect(c).toMatchObject({
      scheme: "Digest",
      username: "bob",
      realm: "biloxi.com",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      uri: "sip:bob@biloxi.com",
      qop: "auth",
      nc: "00000001",
      nonceCount: 1,
      cnonce: "0a4f113b",
      response: "6629fae49393a05397450978507c4ef1",
      opaque: "5ccc069c403ebaf9f0171e9517f40e41",
    });
    expect(c.algorithm).toBeUndefined();
  });

  it("reads the RFC 7616 §3.9.1 SHA-256 example", () => {
    const c = parseCredentials(RFC7616_SHA256);
    expect(c.algorithm).toBe("SHA-256");
    expect(c.response).toHaveLength(64);
  });

  it("reads the phones' orders and spacing (Yealink, Linphone, legacy without qop)", () => {
    expect(parseCredentials(YEALINK_REGISTER)).toMatchObject({ username: "2001", opaque: "", qop: "auth", nc: "00000001" });
    expect(parseCredentials(LINPHONE_REGISTER)).toMatchObject({ username: "2002", algorithm: "SHA-256", opaque: "+GNywA==" });
    const legacy = parseCredentials(LEGACY_REGISTER);
    expect(legacy.qop).toBeUndefined();
    expect(legacy.nc).toBeUndefined();
    expect(legacy.nonceCount).toBeUndefined();
  });

  it("matches scheme and parameter names without regard to case (RFC 7235 §2.1)", () => {
    const c = parseCredentials('dIgEsT USERNAME="a", Realm="r", NONCE="n", Uri="sip:r", RESPONSE="0cc175b9c0f1b6a831c399e269772661", QOP=auth, NC=0000000A, CNonce="c"');
    expect(c).toMatchObject({ scheme: "dIgEsT", username: "a", realm: "r", nonce: "n", uri: "sip:r", qop: "auth", nc: "0000000A", nonceCount: 10, cnonce: "c" });
  });

  it("allows LWS around '=' and ',' and folds anywhere LWS is (RFC 3261 §25.1 EQUAL, COMMA)", () => {
    const c = parseCredentials(
      'Digest\t username \t=\r\n "a" ,realm= "r",\r\n\tnonce ="n"  ,  uri="sip:r",response\r\n =\r\n  "0cc175b9c0f1b6a831c399e269772661"   ',
    );
    expect(c).toMatchObject({ username: "a", realm: "r", nonce: "n", uri: "sip:r" });
  });

  it("unescapes quoted-pairs and turns a fold inside quotes into one SP", () => {
    const c = parseCredentials('Digest username="a\\"b\\\\c", realm="two \r\n  words", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661"');
    expect(c.username).toBe('a"b\\c');
    expect(c.realm).toBe("two words");
  });

  it("accepts token or quoted-string for every value, as UAs write both", () => {
    const c = parseCredentials('Digest username=alice, realm=r, nonce=n, uri="sip:r", response=0cc175b9c0f1b6a831c399e269772661, algorithm="MD5", qop="auth", nc="00000001", cnonce=c1');
    expect(c).toMatchObject({ username: "alice", algorithm: "MD5", qop: "auth", nc: "00000001", cnonce: "c1" });
  });

  it("keeps unknown parameters, and every parameter by lower-case name", () => {
    const c = parseCredentials(`${YEALINK_REGISTER}, X-Vendor="yes, really", userhash=false`);
    expect(c.params.get("x-vendor")).toBe("yes, really");
    expect(c.params.get("userhash")).toBe("false");
    expect(c.params.get("username")).toBe("2001");
  });

  it("keeps non-ASCII octets in quoted strings (UTF8-NONASCII), as the latin1 text the parser gives", () => {
    const wire = Buffer.from('Digest username="Jürgen", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661"', "utf8").toString("latin1");
    expect(Buffer.from(parseCredentials(wire).username, "latin1").toString("utf8")).toBe("Jürgen");
  });

  const malformed: ReadonlyArray<readonly [string, string, DigestErrorCode]> = [
    ["empty", "", "SIP_DIGEST_MALFORMED"],
    ["only whitespace", "  \t ", "SIP_DIGEST_MALFORMED"],
    ["scheme only", "Digest", "SIP_DIGEST_MALFORMED"],
    ["scheme and space only", "Digest   ", "SIP_DIGEST_MALFORMED"],
    ["no space after scheme", 'Digest,username="a"', "SIP_DIGEST_MALFORMED"],
    ["unterminated quote", 'Digest username="a, realm="r', "SIP_DIGEST_MALFORMED"],
    ["unterminated quote at the end", 'Digest username="a', "SIP_DIGEST_MALFORMED"],
    ["escape at the end", 'Digest username="a\\', "SIP_DIGEST_MALFORMED"],
    ["missing '='", 'Digest username "a", realm="r"', "SIP_DIGEST_MALFORMED"],
    ["missing value", 'Digest username=, realm="r"', "SIP_DIGEST_MALFORMED"],
    ["missing name", 'Digest ="a"', "SIP_DIGEST_MALFORMED"],
    ["empty element", 'Digest username="a",, realm="r"', "SIP_DIGEST_MALFORMED"],
    ["trailing comma", 'Digest username="a",', "SIP_DIGEST_MALFORMED"],
    ["missing comma", 'Digest username="a" realm="r"', "SIP_DIGEST_MALFORMED"],
    ["junk after a quoted value", 'Digest username="a"x, realm="r"', "SIP_DIGEST_MALFORMED"],
    ["non-token in a token value", "Digest username=a@b", "SIP_DIGEST_MALFORMED"],
    ["bare LF in quotes", 'Digest username="a\nb"', "SIP_DIGEST_MALFORMED"],
    ["CR not part of a fold", 'Digest username="a\r\nb"', "SIP_DIGEST_MALFORMED"],
    ["NUL in quotes", 'Digest username="a\u0000b"', "SIP_DIGEST_MALFORMED"],
    ["fold with no whitespace after", 'Digest username="a",\r\nrealm="r"', "SIP_DIGEST_MALFORMED"],
    ["duplicate parameter", 'Digest username="a", realm="r", USERNAME="b"', "SIP_DIGEST_DUPLICATE_PARAM"],
    ["duplicate unknown parameter", `${YEALINK_REGISTER}, x=1, X=2`, "SIP_DIGEST_DUPLICATE_PARAM"],
    ["no username", 'Digest realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661"', "SIP_DIGEST_MISSING_PARAM"],
    ["no response", 'Digest username="a", realm="r", nonce="n", uri="sip:r"', "SIP_DIGEST_MISSING_PARAM"],
    ["qop without cnonce", 'Digest username="a", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661", qop=auth, nc=00000001', "SIP_DIGEST_MISSING_PARAM"],
    ["qop without nc", 'Digest username="a", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661", qop=auth, cnonce="c"', "SIP_DIGEST_MISSING_PARAM"],
    ["response not hex", 'Digest username="a", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e26977266z"', "SIP_DIGEST_BAD_VALUE"],
    ["SHA-256 with an MD5-length response", 'Digest username="a", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661", algorithm=SHA-256', "SIP_DIGEST_BAD_VALUE"],
    ["nc of 7 digits", 'Digest username="a", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661", qop=auth, nc=0000001, cnonce="c"', "SIP_DIGEST_BAD_VALUE"],
    // RFC 7616 §3.4: nc counts the requests sent with the nonce, this one included: 1 at least.
    ["nc of 0", 'Digest username="a", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661", qop=auth, nc=00000000, cnonce="c"', "SIP_DIGEST_BAD_VALUE"],
    ["Basic scheme", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "SIP_DIGEST_NOT_DIGEST"],
    ["unknown scheme (RFC 4475 regaut01)", "NoOneKnowsThisScheme opaque-data=here", "SIP_DIGEST_NOT_DIGEST"],
    ["too long", `${YEALINK_REGISTER}, x="${"a".repeat(MAX_AUTH_VALUE_LENGTH)}"`, "SIP_DIGEST_MALFORMED"],
  ];

  it.each(malformed)("MUST refuse %s with a DigestError", (_name, value, code) => {
    expect(codeOf(value)).toBe(code);
  });

  it("answers a peer's defect with 400, and another scheme with a fresh challenge (401)", () => {
    const statusOf = (v: string): number | undefined => {
      try {
        parseCredentials(v);
      } catch (err) {
        return (err as DigestError).status;
      }
      return undefined;
    };
    expect(statusOf('Digest username="a')).toBe(400);
    expect(statusOf("Basic QWxh")).toBe(401);
  });

  it("refuses huge inputs quickly and before scanning them", () => {
    const huge = `Digest username="${"\\a".repeat(5_000_000)}"`;
    const started = performance.now();
    expect(codeOf(huge)).toBe("SIP_DIGEST_MALFORMED");
    expect(codeOf(`Digest ${"x=1, ".repeat(1_000_000)}`)).toBe("SIP_DIGEST_MALFORMED");
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("throws only DigestError for values that are not strings", () => {
    expect(codeOf(undefined as unknown as string)).toBe("SIP_DIGEST_MALFORMED");
    expect(codeOf(42 as unknown as string)).toBe("SIP_DIGEST_MALFORMED");
  });
});

describe("formatCredentials", () => {
  it("writes each value in its grammar's form (RFC 3261 §25.1)", () => {
    expect(
      formatCredentials({
        username: "bob",
        realm: "biloxi.com",
        nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        uri: "sip:bob@biloxi.com",
        response: "6629fae49393a05397450978507c4ef1",
        algorithm: "MD5",
        cnonce: "0a4f113b",
        opaque: "5ccc069c403ebaf9f0171e9517f40e41",
        qop: "auth",
        nc: "00000001",
      }),
    ).toBe(
      'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001',
    );
  });

  it.each(SEEDS)("round-trips through parse and format: %s", (seed) => {
    const parsed = parseCredentials(seed);
    const again = parseCredentials(formatCredentials(parsed));
    expect(again).toEqual({ ...parsed, scheme: "Digest" });
  });

  it("round-trips escapes and unknown parameters", () => {
    const parsed = parseCredentials(`Digest username="a\\"b\\\\", realm="r", nonce="n", uri="sip:r", response="0cc175b9c0f1b6a831c399e269772661", x-tok=abc, x-q="a b,c"`);
    const text = formatCredentials(parsed);
    expect(text).toContain('username="a\\"b\\\\"');
    expect(text).toContain("x-tok=abc");
    expect(text).toContain('x-q="a b,c"');
    expect(parseCredentials(text)).toEqual(parsed);
  });

  it("refuses to write what cannot be written: a control character, a non-token where a token is due", () => {
    const base = { username: "a", realm: "r", nonce: "n", uri: "sip:r", response: "0cc175b9c0f1b6a831c399e269772661" };
    expect(() => formatCredentials({ ...base, username: "a\r\nX-Injected: 1" })).toThrow(expect.objectContaining({ code: "SIP_DIGEST_CANNOT_FORMAT" }));
    expect(() => formatCredentials({ ...base, qop: "auth, auth-int" })).toThrow(expect.objectContaining({ code: "SIP_DIGEST_CANNOT_FORMAT" }));
  });
});

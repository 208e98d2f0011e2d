import { describe, expect, it } from "vitest";
import { formatChallenge, parseChallenge, type ChallengeOptions } from "./challenge.js";
import { DigestError } from "./digest-error.js";

const NONCE = "AYzH5qB3c1Xv9Qj3mT0k8w2nYl4rPe6sZuD7hWbKq1E";

describe("formatChallenge", () => {
  it("writes realm, nonce, algorithm and a quoted qop-options (RFC 3261 §25.1)", () => {
    expect(formatChallenge({ realm: "pbx.council.example", nonce: NONCE, algorithm: "SHA-256", qop: "auth" })).toBe(
      `Digest realm="pbx.council.example", nonce="${NONCE}", algorithm=SHA-256, qop="auth"`,
    );
  });

  it("adds opaque, and stale=true only when the nonce was stale (RFC 7616 §3.3)", () => {
    const base: ChallengeOptions = { realm: "r", nonce: NONCE, algorithm: "MD5", qop: "auth", opaque: "o1" };
    expect(formatChallenge({ ...base, stale: true })).toBe(`Digest realm="r", nonce="${NONCE}", algorithm=MD5, qop="auth", opaque="o1", stale=true`);
    expect(formatChallenge({ ...base, stale: false })).not.toContain("stale");
  });

  it("writes the LEGACY RFC 2069 challenge, with no qop, when asked", () => {
    expect(formatChallenge({ realm: "r", nonce: NONCE, algorithm: "MD5", qop: "none" })).toBe(`Digest realm="r", nonce="${NONCE}", algorithm=MD5`);
  });

  it("MUST NOT offer a -sess algorithm without qop: its A1 needs the cnonce (RFC 7616 §3.4.2)", () => {
    expect(() => formatChallenge({ realm: "r", nonce: NONCE, algorithm: "MD5-sess", qop: "none" })).toThrow(
      expect.objectContaining({ code: "SIP_DIGEST_CANNOT_FORMAT" }),
    );
  });

  it("escapes '\"' and '\\' in quoted values, and refuses CR/LF (no header injection)", () => {
    expect(formatChallenge({ realm: 'say "hi" \\o/', nonce: NONCE, algorithm: "MD5", qop: "auth" })).toContain('realm="say \\"hi\\" \\\\o/"');
    expect(() => formatChallenge({ realm: "r\r\nContact: <sip:evil>", nonce: NONCE, algorithm: "MD5", qop: "auth" })).toThrow(DigestError);
  });
});

describe("parseChallenge", () => {
  it("reads the RFC 7616 §3.9.1 challenge, qop list and all", () => {
    const c = parseChallenge(
      'Digest\r\n    realm="http-auth@example.org",\r\n    qop="auth, auth-int",\r\n    algorithm=SHA-256,\r\n    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    expect(c).toMatchObject({
      realm: "http-auth@example.org",
      qop: ["auth", "auth-int"],
      algorithm: "SHA-256",
      nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
      opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
      stale: false,
    });
  });

  it("reads the RFC 3261 §20.44 example, with domain and stale=FALSE", () => {
    const c = parseChallenge('Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5');
    expect(c).toMatchObject({ realm: "atlanta.com", domain: "sip:boxesbybob.com", qop: ["auth"], opaque: "", stale: false, algorithm: "MD5" });
  });

  it("reads stale case-insensitively (RFC 7616 §3.3)", () => {
    expect(parseChallenge('Digest realm="r", nonce="n", stale=TRUE').stale).toBe(true);
    expect(parseChallenge('Digest realm="r", nonce="n", stale=yes').stale).toBe(false);
  });

  it("MUST refuse a challenge without realm or nonce, an empty qop, or a duplicate", () => {
    const codeOf = (v: string): string => {
      try {
        parseChallenge(v);
        return "no error";
      } catch (err) {
        return err instanceof DigestError ? err.code : "other error";
      }
    };
    expect(codeOf('Digest nonce="n"')).toBe("SIP_DIGEST_MISSING_PARAM");
    expect(codeOf('Digest realm="r"')).toBe("SIP_DIGEST_MISSING_PARAM");
    expect(codeOf('Digest realm="r", nonce="n", qop=" , "')).toBe("SIP_DIGEST_BAD_VALUE");
    expect(codeOf('Digest realm="r", nonce="n", Nonce="m"')).toBe("SIP_DIGEST_DUPLICATE_PARAM");
    expect(codeOf('Basic realm="r"')).toBe("SIP_DIGEST_NOT_DIGEST");
  });

  it.each<ChallengeOptions>([
    { realm: "pbx.council.example", nonce: NONCE, algorithm: "SHA-256", qop: "auth" },
    { realm: "r", nonce: NONCE, algorithm: "MD5-sess", qop: "auth", opaque: 'o"\\', stale: true },
    { realm: "r", nonce: NONCE, algorithm: "MD5", qop: "none" },
  ])("round-trips formatChallenge through parseChallenge: %j", (options) => {
    const c = parseChallenge(formatChallenge(options));
    expect(c.realm).toBe(options.realm);
    expect(c.nonce).toBe(options.nonce);
    expect(c.algorithm).toBe(options.algorithm);
    expect(c.qop).toEqual(options.qop === "none" ? undefined : [options.qop]);
    expect(c.opaque).toBe(options.opaque);
    expect(c.stale).toBe(options.stale === true);
  });
});

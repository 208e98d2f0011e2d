/**
 * Known answers. The RFC 7616 §3.9.1 and RFC 2617 §3.5 responses are the RFCs'
 * own; the -sess, RFC 2069 and SIP MD5-sess values are other implementations'
 * published test vectors, which agree with ours (see each test).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseCredentials, type DigestCredentials } from "./credentials.js";
import { DigestError } from "./digest-error.js";
import { expectedResponse, ha1 } from "./digest-response.js";
import { credentialsAlgorithm, verifyResponse } from "./verify-response.js";
import { RFC2617, RFC3261_22_4, RFC7616_MD5, RFC7616_SHA256 } from "./testing.js";

// RFC 7616 §3.9.1 (password "Circle of Life" with a lower-case "of": errata 4495).
const RFC7616 = {
  username: "Mufasa",
  realm: "http-auth@example.org",
  password: "Circle of Life",
  method: "GET",
  uri: "/dir/index.html",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  nc: "00000001",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  qop: "auth",
} as const;

function rfc7616(algorithm: "MD5" | "SHA-256" | "MD5-sess" | "SHA-256-sess"): string {
  const { username, realm, password, ...rest } = RFC7616;
  return expectedResponse({ algorithm, ha1: ha1(algorithm, username, realm, password), ...rest });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "no error";
  } catch (err) {
    return err instanceof DigestError ? `${err.code} ${err.status ?? "-"}` : "other error";
  }
}

describe("expectedResponse: known answers", () => {
  it("MUST give the RFC 7616 §3.9.1 MD5 response", () => {
    expect(rfc7616("MD5")).toBe("8ca523f5e9506fed4657c9700eebdbec");
  });

  it("MUST give the RFC 7616 §3.9.1 SHA-256 response (RFC 8760)", () => {
    expect(rfc7616("SHA-256")).toBe("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  });

  it("MUST give the RFC 2617 §3.5 response", () => {
    const h = ha1("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life");
    expect(
      expectedResponse({ algorithm: "MD5", ha1: h, method: "GET", uri: "/dir/index.html", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", nc: "00000001", cnonce: "0a4f113b", qop: "auth" }),
    ).toBe("6629fae49393a05397450978507c4ef1");
  });

  it("keys -sess to nonce and cnonce with a hex HA1 (RFC 7616 §3.4.2), as other implementations publish", () => {
    // The values a SIP client's ADR lists for the RFC 7616 inputs.
    expect(rfc7616("MD5-sess")).toBe("e783283f46242139c486a698fec7211d");
    expect(rfc7616("SHA-256-sess")).toBe("2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7");
    // FreeRADIUS's digest tests, from draft-smith-sipping-auth-examples-01 §3.4.
    const bob = ha1("MD5-sess", "bob", "biloxi.com", "zanzibar");
    expect(bob).toBe("12af60467a33e8518da5c68bbff12b11");
    expect(
      expectedResponse({ algorithm: "MD5-sess", ha1: bob, method: "INVITE", uri: "sip:bob@biloxi.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", nc: "00000001", cnonce: "0a4f113b", qop: "auth" }),
    ).toBe("e4e4ea61d186d07a92c9e1f6919902e9");
  });

  it("computes the LEGACY RFC 2069 response (no qop) as RFC 2069 §2.1.2 does", () => {
    // RFC 2069 §2.4's example, password "CircleOfLife", as the digest-access crate tests it.
    const h = ha1("MD5", "Mufasa", "testrealm@host.com", "CircleOfLife");
    expect(expectedResponse({ algorithm: "MD5", ha1: h, method: "GET", uri: "/dir/index.html", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093" })).toBe(
      "1949323746fe6a43ef61f9606e7febea",
    );
  });

  it("hashes an admin's non-ASCII password as UTF-8 (RFC 7616 §4)", () => {
    const utf8 = createHash("md5").update(Buffer.from("u:r:pässword", "utf8")).digest("hex");
    expect(ha1("MD5", "u", "r", "pässword")).toBe(utf8);
    expect(utf8).not.toBe(createHash("md5").update(Buffer.from("u:r:pässword", "latin1")).digest("hex"));
  });

  it("MUST refuse an HA1 that is not a digest of the algorithm", () => {
    const md5 = ha1("MD5", "u", "r", "p");
    expect(codeOf(() => expectedResponse({ algorithm: "SHA-256", ha1: md5, method: "REGISTER", uri: "sip:r", nonce: "n" }))).toBe("SIP_DIGEST_HA1_MISMATCH -");
    expect(codeOf(() => expectedResponse({ algorithm: "MD5", ha1: "z".repeat(32), method: "REGISTER", uri: "sip:r", nonce: "n" }))).toBe("SIP_DIGEST_HA1_MISMATCH -");
  });

  it("MUST refuse auth-int, which we never offer, with a fresh challenge", () => {
    const h = ha1("MD5", "u", "r", "p");
    expect(codeOf(() => expectedResponse({ algorithm: "MD5", ha1: h, method: "REGISTER", uri: "sip:r", nonce: "n", nc: "00000001", cnonce: "c", qop: "auth-int" }))).toBe(
      "SIP_DIGEST_UNSUPPORTED_QOP 401",
    );
  });
});

describe("verifyResponse", () => {
  const md5 = ha1("MD5", RFC7616.username, RFC7616.realm, RFC7616.password);
  const sha256 = ha1("SHA-256", RFC7616.username, RFC7616.realm, RFC7616.password);

  it("MUST accept the RFC 7616 §3.9.1 Authorization values, folded as printed", () => {
    expect(verifyResponse(parseCredentials(RFC7616_MD5), md5, "GET")).toBe(true);
    expect(verifyResponse(parseCredentials(RFC7616_SHA256), sha256, "GET")).toBe(true);
    expect(verifyResponse(parseCredentials(RFC2617), ha1("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life"), "GET")).toBe(true);
  });

  it("MUST refuse a wrong password, method, uri, nonce, nc or cnonce", () => {
    const c = parseCredentials(RFC7616_SHA256);
    expect(verifyResponse(c, ha1("SHA-256", RFC7616.username, RFC7616.realm, "Circle Of Life"), "GET")).toBe(false);
    expect(verifyResponse(c, sha256, "POST")).toBe(false);
    for (const change of [{ uri: "/dir/index.htm" }, { nonce: `${RFC7616.nonce}x` }, { nc: "00000002" }, { cnonce: "other" }]) {
      expect(verifyResponse({ ...c, ...change }, sha256, "GET")).toBe(false);
    }
  });

  it("compares the hex response without regard to case, and a short one as a mismatch", () => {
    const c = parseCredentials(RFC7616_MD5);
    expect(verifyResponse({ ...c, response: c.response.toUpperCase() }, md5, "GET")).toBe(true);
    expect(verifyResponse({ ...c, response: c.response.slice(0, 30) }, md5, "GET")).toBe(false);
    expect(verifyResponse({ ...c, response: `${c.response.slice(0, 31)}g` }, md5, "GET")).toBe(false);
  });

  it("MUST NOT accept the LEGACY RFC 2069 form unless allowed, so that a UA cannot drop qop to downgrade", () => {
    const h = ha1("MD5", "Mufasa", "testrealm@host.com", "CircleOfLife");
    const legacy = parseCredentials(
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="1949323746fe6a43ef61f9606e7febea"',
    );
    expect(codeOf(() => verifyResponse(legacy, h, "GET"))).toBe("SIP_DIGEST_UNSUPPORTED_QOP 401");
    expect(verifyResponse(legacy, h, "GET", { allowLegacyRfc2069: true })).toBe(true);
    expect(verifyResponse(legacy, h, "HEAD", { allowLegacyRfc2069: true })).toBe(false);
  });

  it("verifies the -sess variants from the stored (plain) HA1", () => {
    const c = parseCredentials(RFC7616_SHA256.replace("algorithm=SHA-256", "algorithm=SHA-256-sess").replace(/response="[0-9a-f]+"/, `response="${rfc7616("SHA-256-sess")}"`));
    expect(credentialsAlgorithm(c)).toBe("SHA-256-sess");
    expect(verifyResponse(c, sha256, "GET")).toBe(true);
  });

  it("reads the algorithm without regard to case, MD5 when absent (RFC 7616 §3.3)", () => {
    expect(credentialsAlgorithm({ algorithm: "md5-SESS" })).toBe("MD5-sess");
    expect(credentialsAlgorithm({})).toBe("MD5");
  });

  it("MUST answer an algorithm we do not compute with a fresh challenge", () => {
    const c = parseCredentials(RFC3261_22_4.replace("qop=auth", "algorithm=SHA-512-256, qop=auth"));
    expect(codeOf(() => verifyResponse(c, md5, "GET"))).toBe("SIP_DIGEST_UNSUPPORTED_ALGORITHM 401");
  });

  it("MUST refuse an MD5 HA1 for SHA-256 credentials rather than answer false", () => {
    const c: DigestCredentials = parseCredentials(RFC7616_SHA256);
    expect(codeOf(() => verifyResponse(c, md5, "GET"))).toBe("SIP_DIGEST_HA1_MISMATCH -");
  });
});

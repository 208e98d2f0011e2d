import { afterEach, describe, expect, it, vi } from "vitest";
import { DigestError } from "./digest-error.js";
import { NonceService, type NonceServiceOptions } from "./nonce-service.js";

const SECRET = Buffer.alloc(32, 7);
const OTHER_SECRET = Buffer.alloc(32, 8);
const REALM = "pbx.council.example";
const LIFETIME = 300_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A clock the test moves by hand. */
function fakeClock(start = T0): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function service(options: Partial<NonceServiceOptions> = {}): NonceService {
  return new NonceService({ secret: SECRET, lifetimeMs: LIFETIME, clock: fakeClock(), ...options });
}

function tamper(nonce: string, octet: number): string {
  const b = Buffer.from(nonce, "base64url");
  b[octet]! ^= 0x01;
  return b.toString("base64url");
}

describe("NonceService", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("issues 43 base64url characters, different every time", () => {
    const nonces = service();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(nonces.issue(REALM));
    expect(seen.size).toBe(1000);
    for (const n of seen) expect(n).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("MUST accept on node B a nonce issued on node A with the same secret (stateless)", () => {
    const clock = fakeClock();
    const nodeA = new NonceService({ secret: SECRET, lifetimeMs: LIFETIME, clock });
    const nodeB = new NonceService({ secret: Buffer.from(SECRET), lifetimeMs: LIFETIME, clock });
    const nonce = nodeA.issue(REALM);
    clock.advance(1_000);
    expect(nodeB.check(nonce, REALM)).toBe("valid");
  });

  it("MUST answer valid within the lifetime and stale from then on (RFC 7616 §3.3)", () => {
    const clock = fakeClock();
    const nonces = service({ clock });
    const nonce = nonces.issue(REALM);
    clock.advance(LIFETIME - 1);
    expect(nonces.check(nonce, REALM)).toBe("valid");
    clock.advance(1);
    expect(nonces.check(nonce, REALM)).toBe("stale");
    clock.advance(365 * 24 * 3600 * 1000);
    expect(nonces.check(nonce, REALM)).toBe("stale");
  });

  it("gives the issue and expiry times of its own nonces, for the nc state's TTL", () => {
    const clock = fakeClock();
    const nonces = service({ clock });
    const nonce = nonces.issue(REALM);
    expect(nonces.inspect(nonce, REALM, T0 + 10)).toEqual({ status: "valid", issuedAt: T0, expiresAt: T0 + LIFETIME });
    expect(nonces.inspect(nonce, REALM, T0 + LIFETIME)).toEqual({ status: "stale", issuedAt: T0, expiresAt: T0 + LIFETIME });
    expect(nonces.inspect(tamper(nonce, 3), REALM, T0)).toEqual({ status: "invalid" });
  });

  it("takes `now` from the system clock by default, so fake timers drive it", () => {
    vi.useFakeTimers({ now: T0 });
    const nonces = new NonceService({ secret: SECRET, lifetimeMs: LIFETIME });
    const nonce = nonces.issue(REALM);
    expect(nonces.check(nonce, REALM)).toBe("valid");
    vi.advanceTimersByTime(LIFETIME);
    expect(nonces.check(nonce, REALM)).toBe("stale");
  });

  it("MUST answer invalid when any octet is tampered with", () => {
    const nonces = service();
    const nonce = nonces.issue(REALM);
    for (let octet = 0; octet < 32; octet++) expect(nonces.check(tamper(nonce, octet), REALM, T0), `octet ${octet}`).toBe("invalid");
  });

  it("MUST answer invalid for a nonce made with another secret, even a stale one", () => {
    const forged = service({ secret: OTHER_SECRET }).issue(REALM);
    expect(service().check(forged, REALM, T0)).toBe("invalid");
    expect(service().check(forged, REALM, T0 + 2 * LIFETIME)).toBe("invalid");
  });

  it("MUST answer invalid for a nonce of another realm", () => {
    const nonces = service();
    expect(nonces.check(nonces.issue("other.example"), REALM, T0)).toBe("invalid");
    expect(nonces.check(nonces.issue(`${REALM}x`), REALM, T0)).toBe("invalid");
  });

  it("accepts nonces of a secret being rotated out, and issues with the new one", () => {
    const old = service().issue(REALM);
    const rotated = service({ secret: OTHER_SECRET, previousSecrets: [SECRET] });
    expect(rotated.check(old, REALM, T0)).toBe("valid");
    expect(service().check(rotated.issue(REALM), REALM, T0)).toBe("invalid");
  });

  it("allows clock skew between nodes, but not a nonce from further ahead", () => {
    const ahead = fakeClock(T0 + 3_000);
    const nonce = service({ clock: ahead }).issue(REALM);
    expect(service().check(nonce, REALM, T0)).toBe("valid");
    const farAhead = service({ clock: fakeClock(T0 + 60_000) }).issue(REALM);
    expect(service().check(farAhead, REALM, T0)).toBe("invalid");
  });

  it.each([
    ["empty", ""],
    ["short", "abc"],
    ["one char longer", "A".repeat(44)],
    ["not base64url", `${"A".repeat(42)}+`],
    ["padded", `${"A".repeat(42)}=`],
  ])("MUST answer invalid for a garbled nonce: %s", (_name, nonce) => {
    expect(service().check(nonce, REALM, T0)).toBe("invalid");
  });

  it("MUST answer invalid for a non-canonical spelling of a good nonce (one nonce, one name)", () => {
    const nonces = service();
    const nonce = nonces.issue(REALM);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(nonce.at(-1)!);
    const variant = nonce.slice(0, -1) + alphabet[last | 1]!;
    expect(variant).not.toBe(nonce);
    expect(Buffer.from(variant, "base64url").equals(Buffer.from(nonce, "base64url"))).toBe(true);
    expect(nonces.check(variant, REALM, T0)).toBe("invalid");
  });

  it("MUST answer invalid for another layout version", () => {
    const nonces = service();
    const b = Buffer.from(nonces.issue(REALM), "base64url");
    b[0] = 0x02;
    expect(nonces.check(b.toString("base64url"), REALM, T0)).toBe("invalid");
  });

  it.each<[string, Partial<NonceServiceOptions>]>([
    ["a short secret", { secret: Buffer.alloc(16, 1) }],
    ["a short previous secret", { previousSecrets: [Buffer.alloc(31, 1)] }],
    ["a zero lifetime", { lifetimeMs: 0 }],
    ["a NaN lifetime", { lifetimeMs: Number.NaN }],
    ["a negative clock skew", { maxClockSkewMs: -1 }],
  ])("MUST refuse %s as a configuration error", (_name, options) => {
    expect(() => service(options)).toThrow(expect.objectContaining({ name: "DigestError", code: "SIP_DIGEST_BAD_CONFIG" }));
  });

  it("copies its secret, so later changes to the caller's buffer change nothing", () => {
    const secret = Buffer.from(SECRET);
    const nonces = service({ secret });
    const nonce = nonces.issue(REALM);
    secret.fill(0);
    expect(nonces.check(nonce, REALM, T0)).toBe("valid");
  });

  it("refuses to issue when the clock gives a time a nonce cannot hold", () => {
    expect(() => service({ clock: { now: () => Number.NaN } }).issue(REALM)).toThrow(DigestError);
  });
});

/**
 * Fixtures of the authentication stage's tests and the REGISTER handler's: a memory
 * store that lists the commands it is given, a real nonce service, requests built
 * from text, and digest answers computed as a phone computes them.
 */
import { ha1, expectedResponse, NonceService } from "../../sip/digest/index.js";
import { parseMessage, type SipRequest } from "../../sip/message/index.js";
import { MemoryStateStore } from "../../state/index.js";
import { Directory } from "../directory/directory.js";
import { AuthThrottle } from "./auth-throttle.js";
import { DigestAuthenticator } from "./digest-authenticator.js";

export const REALM = "strowger.local";
const user = {
  extension: "2001",
  name: "Reception",
  organisation: "council",
  site: "stafford",
  class: "staff",
  ha1: { md5: ha1("MD5", "2001", REALM, "secret-pw"), sha256: ha1("SHA-256", "2001", REALM, "secret-pw") },
};

/**
 * The stage on a store shared with `shared` (another node's stage, as a pair shares
 * Redis) or a fresh one; `commands` lists every method called on `counted`, the
 * store as the stage sees it, in order.
 */
export function setup(options: { perUser?: number; perSource?: number; shared?: MemoryStateStore } = {}) {
  const store = options.shared ?? new MemoryStateStore();
  const commands: string[] = [];
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]): unknown => {
        commands.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const nonces = new NonceService({ secret: Buffer.alloc(32, 7), lifetimeMs: 60_000 });
  const throttle = new AuthThrottle(counted, { windowSeconds: 60, perUser: options.perUser ?? 3, perSource: options.perSource ?? 100, blockSeconds: 60 });
  const auth = new DigestAuthenticator({
    directory: () => new Directory(REALM, ["council"], [user]),
    nonces,
    throttle,
    mode: "registrar",
    algorithms: ["SHA-256", "MD5"],
  });
  return { auth, nonces, store, counted, commands };
}

export function register(authorization?: string, headers: readonly string[] = []): SipRequest {
  const lines = [
    `REGISTER sip:${REALM} SIP/2.0`,
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKa",
    `From: <sip:2001@${REALM}>;tag=1`,
    `To: <sip:2001@${REALM}>`,
    "Call-ID: auth-test",
    "CSeq: 1 REGISTER",
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    ...headers,
    "Content-Length: 0",
    "",
    "",
  ];
  return parseMessage(Buffer.from(lines.join("\r\n"))) as SipRequest;
}

export function credentials(nonce: string, opts: { username?: string; password?: string; uri?: string; nc?: string } = {}): string {
  const username = opts.username ?? "2001";
  const uri = opts.uri ?? `sip:${REALM}`;
  const nc = opts.nc ?? "00000001";
  const response = expectedResponse({
    algorithm: "MD5",
    ha1: ha1("MD5", username, REALM, opts.password ?? "secret-pw"),
    method: "REGISTER",
    uri,
    nonce,
    nc,
    cnonce: "c0ffee",
    qop: "auth",
  });
  return `Digest username="${username}", realm="${REALM}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, cnonce="c0ffee", qop=auth, nc=${nc}`;
}

/**
 * Answering a digest challenge the way a phone does (RFC 7616 §3.4.1, RFC 8760),
 * written here with node:crypto and none of the node's code: an interop test must
 * not judge the node's digest with the node's own digest module.
 *
 *   response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))
 *   A1 = username ":" realm ":" password        A2 = method ":" uri
 */
import { createHash, randomBytes } from "node:crypto";

export interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  /** As written; absent means MD5. */
  readonly algorithm?: string;
  readonly qop?: string;
  readonly opaque?: string;
  readonly stale: boolean;
  /** The challenge as received. */
  readonly text: string;
}

const PARAM = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)/g;

function readChallenge(text: string): Challenge {
  const params = new Map<string, string>();
  for (const [, name, raw] of text.matchAll(PARAM)) {
    params.set(name!.toLowerCase(), raw!.startsWith('"') ? raw!.slice(1, -1).replace(/\\(.)/g, "$1") : raw!);
  }
  const realm = params.get("realm");
  const nonce = params.get("nonce");
  if (realm === undefined || nonce === undefined) throw new Error(`not a digest challenge: ${text}`);
  return {
    realm,
    nonce,
    algorithm: params.get("algorithm"),
    qop: params.get("qop"),
    opaque: params.get("opaque"),
    stale: params.get("stale")?.toLowerCase() === "true",
    text,
  };
}

/**
 * The Digest challenges in WWW-Authenticate values, in order. A value may hold
 * several challenges joined by ", " (sipp's `[last_WWW-Authenticate:]` joins the
 * header fields that way); a new one starts at each "Digest " outside quotes.
 */
export function readChallenges(values: readonly string[]): Challenge[] {
  return values.flatMap((value) => value.split(/,\s*(?=Digest\s)/i)).map((text) => readChallenge(text.trim()));
}

/** The first challenge for `algorithm` (case-insensitive; absent counts as MD5). */
export function challengeFor(challenges: readonly Challenge[], algorithm: "SHA-256" | "MD5"): Challenge {
  const found = challenges.find((c) => (c.algorithm ?? "MD5").toUpperCase() === algorithm);
  if (!found) throw new Error(`no ${algorithm} challenge in: ${challenges.map((c) => c.text).join(" | ")}`);
  return found;
}

export interface Answer {
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The digest-uri: the Request-URI, as phones send it. */
  readonly uri: string;
  readonly nc?: number;
  readonly cnonce?: string;
}

function hash(algorithm: string, text: string): string {
  return createHash(algorithm.toUpperCase() === "SHA-256" ? "sha256" : "md5")
    .update(text, "utf8")
    .digest("hex");
}

/**
 * The Authorization value answering `challenge` with qop=auth. Written without
 * spaces between parameters (as sipp and many phones do), so that sipp can carry it
 * in a variable and a regular expression can pick it out of a line.
 */
export function authorization(challenge: Challenge, answer: Answer): string {
  const algorithm = challenge.algorithm ?? "MD5";
  const nc = (answer.nc ?? 1).toString(16).padStart(8, "0");
  const cnonce = answer.cnonce ?? randomBytes(8).toString("hex");
  const ha1 = hash(algorithm, `${answer.username}:${challenge.realm}:${answer.password}`);
  const ha2 = hash(algorithm, `${answer.method}:${answer.uri}`);
  const response = hash(algorithm, `${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  const params = [
    `username="${answer.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${answer.uri}"`,
    `response="${response}"`,
    `algorithm=${algorithm}`,
    `cnonce="${cnonce}"`,
    "qop=auth",
    `nc=${nc}`,
    ...(challenge.opaque !== undefined ? [`opaque="${challenge.opaque}"`] : []),
  ];
  return `Digest ${params.join(",")}`;
}

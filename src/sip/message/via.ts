import { formatHostPort, parseHostPort, type HostPort } from "./host.js";
import { findParam, formatParams, isTokenChar, isWhitespace, parseParams, tokenRunEnd, type Param } from "./lex.js";
import { fail } from "./parse-error.js";

/** RFC 3261 §8.1.1.7: a branch that starts with the magic cookie is unique across space and time. */
export const MAGIC_COOKIE = "z9hG4bK";

/** One Via value (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=...;rport`. */
export interface Via extends HostPort {
  readonly protocol: string;
  /** Upper-case transport token (UDP, TCP, TLS, SCTP, WS, WSS or an extension). */
  readonly transport: string;
  readonly params: readonly Param[];
  readonly branch?: string;
}

function skipLws(s: string, i: number): number {
  while (i < s.length && isWhitespace(s.charCodeAt(i))) i++;
  return i;
}

function readToken(s: string, i: number): [string, number] {
  const start = i;
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return [s.slice(start, i), i];
}

/** sent-protocol = protocol-name SLASH protocol-version SLASH transport, where SLASH = SWS "/" SWS */
function readSentProtocol(value: string): [string, string, string, number] {
  const parts: string[] = [];
  let i = skipLws(value, 0);
  for (let k = 0; k < 3; k++) {
    if (k > 0) {
      i = skipLws(value, i);
      if (value.charCodeAt(i) !== 0x2f /* / */) fail("SIP_BAD_VIA", "Malformed Via sent-protocol");
      i = skipLws(value, i + 1);
    }
    const [token, next] = readToken(value, i);
    if (token.length === 0) fail("SIP_BAD_VIA", "Malformed Via sent-protocol");
    parts.push(token);
    i = next;
  }
  return [parts[0]!, parts[1]!, parts[2]!, i];
}

/** Parses one Via value: sent-protocol LWS sent-by *( SEMI via-params ). */
export function parseVia(value: string): Via {
  // The spelling every UA sends, "SIP/2.0/UDP host", without the general scanner.
  let name = "SIP";
  let version = "2.0";
  let transport: string;
  let afterProtocol: number;
  if (value.startsWith("SIP/2.0/")) {
    afterProtocol = tokenRunEnd(value, 8);
    transport = value.slice(8, afterProtocol);
    if (transport.length === 0) fail("SIP_BAD_VIA", "Malformed Via sent-protocol");
  } else {
    [name, version, transport, afterProtocol] = readSentProtocol(value);
  }
  const i = skipLws(value, afterProtocol);
  if (i === afterProtocol) fail("SIP_BAD_VIA", "Missing space before Via sent-by");
  const [hostPort, end] = parseHostPort(value, i, "SIP_BAD_VIA", "Via sent-by");
  const params = parseParams(value, end, "SIP_BAD_VIA", "Via");
  const branch = findParam(params, "branch");
  if (branch && branch.value === null) fail("SIP_BAD_VIA", "Via branch without a value");
  return {
    protocol: `${name.toUpperCase()}/${version}`,
    transport: transport.toUpperCase(),
    host: hostPort.host,
    port: hostPort.port,
    params,
    branch: branch?.value ?? undefined,
  };
}

export function formatVia(via: Via): string {
  return `${via.protocol}/${via.transport} ${formatHostPort(via)}${formatParams(via.params)}`;
}

import { formatHostPort, parseHostPort, type HostPort } from "./host.js";
import { isToken, isTokenChar, isWhitespace, findParam, formatParams, parseParams, type Param } from "./lex.js";
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

/** Parses one Via value: sent-protocol LWS sent-by *( SEMI via-params ). */
export function parseVia(value: string): Via {
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, SLASH = SWS "/" SWS
  let [name, i] = readToken(value, skipLws(value, 0));
  i = skipLws(value, i);
  if (value.charCodeAt(i) !== 0x2f) fail("SIP_BAD_VIA", "Malformed Via sent-protocol");
  let version: string;
  [version, i] = readToken(value, skipLws(value, i + 1));
  i = skipLws(value, i);
  if (value.charCodeAt(i) !== 0x2f) fail("SIP_BAD_VIA", "Malformed Via sent-protocol");
  let transport: string;
  [transport, i] = readToken(value, skipLws(value, i + 1));
  if (!isToken(name) || !isToken(version) || !isToken(transport)) fail("SIP_BAD_VIA", "Malformed Via sent-protocol");
  const afterProtocol = i;
  i = skipLws(value, i);
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

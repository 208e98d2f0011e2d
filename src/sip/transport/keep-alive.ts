/**
 * RFC 5626 §3.5.1 and §4.4.1: the CRLF keep-alive of connection-oriented flows. A
 * client sends a double CRLF "ping"; the server answers with a single CRLF "pong".
 */
export const PING = Buffer.from("\r\n\r\n");
export const PONG = Buffer.from("\r\n");

/** True when the octets are all CR or LF: a keep-alive, never a SIP message. */
export function isKeepAlive(data: Buffer): boolean {
  if (data.length === 0) return false;
  for (const octet of data) if (octet !== 0x0d && octet !== 0x0a) return false;
  return true;
}

/** True for exactly one double-CRLF ping, which is owed a pong. */
export function isPing(data: Buffer): boolean {
  return data.equals(PING);
}

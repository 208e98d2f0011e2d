/**
 * Structured JSON logs (pino). Credentials never reach a log line: the paths below
 * are redacted wherever they appear, and SIP messages are logged by their summary,
 * never by their raw text.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export const REDACTED_PATHS = [
  "authorization",
  "proxyAuthorization",
  "password",
  "secret",
  "ha1",
  "headers.authorization",
  "headers[\"proxy-authorization\"]",
  "*.authorization",
  "*.proxyAuthorization",
  "*.password",
  "*.secret",
  "*.ha1",
];

export function createLogger(level: LevelWithSilent, destination?: DestinationStream, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, destination);
}

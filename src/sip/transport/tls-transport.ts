/** SIP over TLS (RFC 3261 §26.2.1): the stream transport with TLS sockets. */
import { readFile } from "node:fs/promises";
import { connect, createServer } from "node:tls";
import type { ConnectionSettings } from "./connection.js";
import { StreamTransport } from "./stream-transport.js";
import { systemCode, TransportError } from "./transport-error.js";
import type { PemSource, TlsOptions } from "./transport-options.js";

/** Key, certificate and trusted roots, read once at start. */
export interface TlsMaterial {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly ca?: Buffer;
  readonly rejectUnauthorized: boolean;
}

async function pem(source: PemSource, what: string): Promise<Buffer> {
  if (typeof source !== "string") return source;
  try {
    return await readFile(source);
  } catch (err) {
    throw new TransportError(
      "SIP_TRANSPORT_LISTEN_FAILED",
      `Cannot read the TLS ${what} file ${source} (${systemCode(err) ?? String(err)}): check the path and its permissions`,
      { cause: err },
    );
  }
}

export async function loadTlsMaterial(options: TlsOptions): Promise<TlsMaterial> {
  const [key, cert, ca] = await Promise.all([
    pem(options.key, "key"),
    pem(options.cert, "certificate"),
    options.ca === undefined ? undefined : pem(options.ca, "CA"),
  ]);
  return { key, cert, ca, rejectUnauthorized: options.rejectUnauthorized ?? true };
}

export function createTlsTransport(options: TlsOptions, material: TlsMaterial, settings: ConnectionSettings): StreamTransport {
  return new StreamTransport(
    {
      name: "TLS",
      createServer: (onSocket) => createServer({ key: material.key, cert: material.cert }, onSocket),
      // RFC 5922 wants the peer's certificate to match who was dialled; Node checks it
      // against the host given (an IP SAN for an address literal, a DNS name otherwise).
      connect: (host, port) =>
        connect({
          host,
          port,
          ca: material.ca,
          key: material.key,
          cert: material.cert,
          rejectUnauthorized: material.rejectUnauthorized,
        }),
      readyEvent: "secureConnect",
    },
    options,
    settings,
  );
}

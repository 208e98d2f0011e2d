/** How the transport layer is configured: which transports listen where, and its bounds. */
import { DEFAULT_LIMITS, type ParseLimits } from "../message/index.js";

export interface ListenOptions {
  /** IP literals to listen on, one listener each (e.g. ["127.0.0.1", "::1"]). */
  readonly addresses: readonly string[];
  /** 0 takes a free port per address; read it back from `TransportLayer.listening()`. */
  readonly port: number;
}

/** PEM text (a Buffer) or the path of a PEM file (a string). */
export type PemSource = string | Buffer;

export interface TlsOptions extends ListenOptions {
  readonly key: PemSource;
  readonly cert: PemSource;
  /** Trusted roots for the peers this node connects to; the system roots when absent. */
  readonly ca?: PemSource;
  /** Refuse a server whose certificate does not verify (default true). */
  readonly rejectUnauthorized?: boolean;
}

export interface TransportOptions {
  readonly udp?: ListenOptions;
  readonly tcp?: ListenOptions;
  readonly tls?: TlsOptions;
  readonly ws?: ListenOptions;
  readonly wss?: TlsOptions;
  /** A connection that carries nothing for this long is closed (default 300 s). */
  readonly idleTimeoutMs?: number;
  readonly limits?: ParseLimits;
  /**
   * RFC 3261 §18.1.1: a request larger than this, bound for UDP, goes over TCP
   * instead (the path MTU less 200 bytes; 1300 when the MTU is unknown).
   */
  readonly udpMaxRequestBytes?: number;
}

export const TRANSPORT_DEFAULTS = Object.freeze({
  idleTimeoutMs: 300_000,
  limits: DEFAULT_LIMITS,
  udpMaxRequestBytes: 1300,
});

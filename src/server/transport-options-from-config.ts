/**
 * From the node's config (and a `--port` override) to the transport layer's options.
 * TLS and WSS start only when both PEM files are named.
 */
import { resolve } from "node:path";
import type { NodeConfig } from "../config/node-config-schema.js";
import type { TlsOptions, TransportOptions } from "../sip/transport/index.js";

/** With `--port N`: UDP/TCP on N, TLS, WS and WSS on N+1, N+6 and N+7 (5060/5061/5066/5067 shifted together). */
const PORT_OFFSETS = { udp: 0, tcp: 0, tls: 1, ws: 6, wss: 7 } as const;

export function transportOptions(config: NodeConfig, configDir: string, port?: number): TransportOptions {
  const { sip } = config;
  const addresses = sip.addresses;
  const portOf = (name: keyof typeof PORT_OFFSETS, configured: number) =>
    port === undefined ? configured : port === 0 ? 0 : port + PORT_OFFSETS[name];
  const tls = (name: "tls" | "wss"): TlsOptions | undefined => {
    const listener = sip[name];
    if (!listener.certificate || !listener.privateKey) return undefined;
    return {
      addresses,
      port: portOf(name, listener.port),
      cert: resolve(configDir, listener.certificate),
      key: resolve(configDir, listener.privateKey),
    };
  };
  return {
    udp: sip.udp.enabled ? { addresses, port: portOf("udp", sip.udp.port) } : undefined,
    tcp: sip.tcp.enabled ? { addresses, port: portOf("tcp", sip.tcp.port) } : undefined,
    tls: tls("tls"),
    ws: sip.ws.enabled ? { addresses, port: portOf("ws", sip.ws.port) } : undefined,
    wss: tls("wss"),
    idleTimeoutMs: sip.idleTimeoutSeconds * 1000,
    limits: sip.limits,
    udpMaxRequestBytes: sip.pathMtu - 200,
  };
}

/**
 * How this node names itself in what it forwards: the sent-by of its Via, the URI
 * of its Record-Route, and how it knows a Route entry as its own (or its peer's).
 * Record-Route URIs carry the cluster's name (`;sg=NAME`), so either node of a pair
 * recognises the other's entry and in-dialog requests route whichever node they
 * reach (ARCHITECTURE.md: "Record-Route carries a cluster address that both nodes
 * answer to").
 */
import { networkInterfaces } from "node:os";
import { findParam, isSipUri, parseNameAddr, parseUri, uriHost, type SipUri } from "../../sip/message/index.js";
import type { LocalEndpoint, TransportName } from "../../sip/transport/index.js";

export const CLUSTER_PARAM = "sg";

export interface IdentityOptions {
  /** The cluster's name, written in Record-Route. */
  readonly cluster: string;
  /** The address written for this node when it listens on a wildcard (sip.advertisedAddress). */
  readonly advertisedAddress?: string;
  /** A cluster address both nodes answer to (a DNS name or floating address), written in Record-Route. */
  readonly clusterAddress?: string;
}

function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

function firstInterfaceAddress(v6: boolean): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && (a.family === "IPv6") === v6) return a.address;
  }
  return v6 ? "::1" : "127.0.0.1";
}

export class ProxyIdentity {
  constructor(private readonly options: IdentityOptions) {}

  /** The host to write for a local socket: the advertised one for a wildcard listener. */
  hostFor(local: LocalEndpoint): string {
    if (!isWildcard(local.address)) return uriHost(local.address);
    return uriHost(this.options.advertisedAddress ?? firstInterfaceAddress(local.address === "::"));
  }

  /** RFC 3261 §16.6 step 8: this proxy's Via for a request leaving on `local`. */
  via(local: LocalEndpoint, branch: string): string {
    return `SIP/2.0/${local.transport} ${this.hostFor(local)}:${local.port};branch=${branch}`;
  }

  /**
   * RFC 3261 §16.6 step 4: a Record-Route URI with `lr` (§16.12.1.1 loose routing),
   * the transport it was reached on, and the cluster's name.
   */
  recordRoute(local: LocalEndpoint): string {
    const host = this.options.clusterAddress ?? this.hostFor(local);
    return `<sip:${host}:${local.port};transport=${transportParam(local.transport)};lr;${CLUSTER_PARAM}=${this.options.cluster}>`;
  }

  /** A Route (or Request-URI) value this cluster put there. */
  isOwn(value: string): boolean {
    let uri: SipUri;
    try {
      const parsed = parseUri(value.trimStart().startsWith("<") ? parseNameAddr(value).uri : value);
      if (!isSipUri(parsed)) return false;
      uri = parsed;
    } catch {
      return false;
    }
    return findParam(uri.params, CLUSTER_PARAM)?.value === this.options.cluster;
  }
}

export function transportParam(transport: TransportName): string {
  return transport.toLowerCase();
}

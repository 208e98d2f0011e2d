/**
 * How this node names itself in what it forwards: the sent-by of its Via, the URI
 * of its Record-Route, and how it knows a Route entry as its own (or its peer's).
 * Record-Route URIs carry the cluster's name (`;sg=NAME`), so either node of a pair
 * recognises the other's entry and in-dialog requests route whichever node they
 * reach (ARCHITECTURE.md: "Record-Route carries a cluster address that both nodes
 * answer to").
 */
import { networkInterfaces } from "node:os";
import { bareHost, findParam, isSipUri, parseNameAddr, parseUri, uriHost, type SipUri, type Via } from "../../sip/message/index.js";
import type { LocalEndpoint, TransportName } from "../../sip/transport/index.js";

export const CLUSTER_PARAM = "sg";
/** On a Route or Record-Route entry that only one node can serve (it holds a phone's flow): that node's name. */
export const NODE_PARAM = "sgnode";
/** On a Route to the node holding a phone's flow: the flow, as `TRANSPORT~address~port~connection`. */
export const FLOW_PARAM = "sgflow";

export interface IdentityOptions {
  /** The cluster's name, written in Record-Route. */
  readonly cluster: string;
  /** This node's name. */
  readonly node: string;
  /** The address written for this node when it listens on a wildcard (sip.advertisedAddress). */
  readonly advertisedAddress?: string;
  /** A cluster address both nodes answer to (a DNS name or floating address), written in Record-Route. */
  readonly clusterAddress?: string;
  /** Whether host:port is one of this node's own sockets (a phone's outbound-proxy Route names us so). */
  readonly isLocal?: (host: string, port: number) => boolean;
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
  recordRoute(local: LocalEndpoint, flow?: Flow): string {
    const base = `;transport=${transportParam(local.transport)};lr;${CLUSTER_PARAM}=${this.options.cluster}`;
    if (!flow) return `<sip:${this.options.clusterAddress ?? this.hostFor(local)}:${local.port}${base}>`;
    // An entry facing a phone's connection names this node and the flow: only this
    // node can reach the phone, so in-dialog requests are delivered over that flow.
    return `<sip:${this.hostFor(local)}:${local.port}${base};${NODE_PARAM}=${this.options.node};${FLOW_PARAM}=${encodeFlow(flow)}>`;
  }

  /**
   * A Route (or Request-URI) value this node may take off: one this cluster put there,
   * unless it is pinned to another node (that node holds the flow it leads to).
   */
  isOwn(value: string): boolean {
    const uri = clusterUri(value);
    if (!uri) return false;
    // RFC 3261 §16.4: a Route that "indicates this proxy": our own address (a phone's
    // pre-loaded outbound-proxy route), or an entry this cluster recorded.
    if (findParam(uri.params, CLUSTER_PARAM)?.value !== this.options.cluster) {
      const host = uri.host.toLowerCase();
      const port = uri.port ?? (uri.scheme === "sips" ? 5061 : 5060);
      return host === this.options.clusterAddress?.toLowerCase() || this.options.isLocal?.(bareHost(host), port) === true;
    }
    const node = findParam(uri.params, NODE_PARAM)?.value;
    return node == null || node === this.options.node;
  }

  /** A Via this node wrote: its sent-by is one of this node's sockets. */
  isOwnVia(via: Via): boolean {
    return this.options.isLocal?.(bareHost(via.host), via.port ?? 5060) === true;
  }

  /** The flow a Route entry of ours names. */
  flowOf(value: string): Flow | undefined {
    const uri = clusterUri(value);
    const flow = uri && findParam(uri.params, FLOW_PARAM)?.value;
    if (!flow) return undefined;
    const [transport, address, port, connectionId] = decodeURIComponent(flow).split("~");
    if (!transport || !address || !port || !connectionId) return undefined;
    return { transport: transport as TransportName, address, port: Number(port), connectionId };
  }

  /** A Route to the peer node that holds a phone's flow, asking it to deliver over that flow. */
  routeViaPeer(peer: { address: string; port: number }, peerNode: string, flow: Flow): string {
    return `<sip:${uriHost(peer.address)}:${peer.port};lr;${CLUSTER_PARAM}=${this.options.cluster};${NODE_PARAM}=${peerNode};${FLOW_PARAM}=${encodeFlow(flow)}>`;
  }
}

/** A phone's connection-oriented flow (RFC 5626): where its REGISTER came from, and the connection. */
export interface Flow {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
  readonly connectionId: string;
}

function encodeFlow(flow: Flow): string {
  return encodeURIComponent(`${flow.transport}~${flow.address}~${flow.port}~${flow.connectionId}`);
}

function clusterUri(value: string): SipUri | undefined {
  try {
    const parsed = parseUri(value.trimStart().startsWith("<") ? parseNameAddr(value).uri : value);
    return isSipUri(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function transportParam(transport: TransportName): string {
  return transport.toLowerCase();
}

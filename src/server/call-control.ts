/**
 * The call-control half of a node, assembled: the proxy, the authenticator that
 * challenges callers (407), the call recorder, and the stages and handlers they
 * bring to the request pipeline (in-dialog routing, INVITE and MESSAGE, CANCEL).
 */
import type { NodeConfig } from "../config/node-config-schema.js";
import type { Dialplan } from "../dialplan/index.js";
import type { AuthenticatorDeps } from "../pbx/auth/digest-authenticator.js";
import { DigestAuthenticator } from "../pbx/auth/digest-authenticator.js";
import { CallRecorder } from "../pbx/cdr/call-recorder.js";
import type { Directory } from "../pbx/directory/directory.js";
import type { Stage } from "../pbx/pipeline/incoming-request.js";
import type { MethodDispatch } from "../pbx/pipeline/method-dispatch.js";
import { cancelHandler } from "../pbx/pipeline/cancel-handler.js";
import { initialRequestHandler } from "../pbx/proxy/initial-request-handler.js";
import { isLooped } from "../pbx/proxy/loop-detection.js";
import { ProxyIdentity } from "../pbx/proxy/proxy-identity.js";
import { StatefulProxy } from "../pbx/proxy/stateful-proxy.js";
import { createResponse, type SipRequest } from "../sip/message/index.js";
import type { InviteServerTransaction, TransactionLayer } from "../sip/transaction/index.js";
import type { Source, TransportLayer } from "../sip/transport/index.js";
import type { StateStore } from "../state/index.js";

export interface CallControlDeps {
  readonly config: NodeConfig;
  readonly store: StateStore;
  readonly transactions: TransactionLayer;
  readonly transport: TransportLayer;
  /** What the registrar's authenticator shares (nonces, throttle, algorithms). */
  readonly auth: Omit<AuthenticatorDeps, "mode">;
  readonly directory: () => Directory;
  readonly dialplan: () => Dialplan | undefined;
}

export class CallControl {
  readonly proxy: StatefulProxy;
  readonly recorder: CallRecorder;
  /**
   * The proxy's stage before method dispatch: loop detection (§16.3 step 4), requests
   * a peer node sends to a flow this node holds, and requests inside a dialog, routed
   * by their Route set (§16.12; a BYE also ends the call's record, a re-INVITE keeps
   * its dialog alive).
   */
  readonly routing: Stage;
  private readonly identity: ProxyIdentity;

  constructor(private readonly deps: CallControlDeps) {
    const { config, store, transactions, transport } = deps;
    const identity = new ProxyIdentity({
      cluster: config.cluster.name,
      node: config.node.name,
      ...(config.sip.advertisedAddress !== undefined && { advertisedAddress: config.sip.advertisedAddress }),
      ...(config.cluster.address !== undefined && { clusterAddress: config.cluster.address }),
      isLocal: (host, port) =>
        transport.listening().some((l) => l.port === port && (l.address === host || host === config.sip.advertisedAddress)),
    });
    this.identity = identity;
    this.proxy = new StatefulProxy({ transactions, sender: transport, identity });
    this.recorder = new CallRecorder(store, config.node.name);
    const peers = new Set(Object.values(config.cluster.peers).map((p) => p.address));
    // Synchronous but for in-dialog requests: most requests pass it, and a promise
    // each would cost them a turn of the microtask queue.
    this.routing = (incoming) => {
      const { request, transaction } = incoming;
      // RFC 3261 §16.3 step 4: a request that comes back the way it went has looped.
      if (isLooped(request, (via) => identity.isOwnVia(via))) {
        incoming.respond(createResponse(request, 482));
        return "handled";
      }
      if (!transaction) return "next";
      // A peer node calling a phone whose connection this node holds (its Route names the flow).
      if (request.toTag === undefined) {
        return peers.has(incoming.source.address) && this.proxy.routeFromPeer(incoming, transaction) ? "handled" : "next";
      }
      if (request.method === "BYE") void this.recorder.ended(request, incoming.log);
      else if (request.method === "INVITE") void this.recorder.refreshed(request, incoming.log);
      return this.proxy.routeInDialog(incoming, transaction).then(() => "handled" as const);
    };
  }

  /** Registers INVITE, MESSAGE and CANCEL on the pipeline's method dispatch. */
  register(methods: MethodDispatch, findInvite: (cancel: SipRequest) => InviteServerTransaction | undefined): void {
    const { config } = this.deps;
    const authenticator = new DigestAuthenticator({ ...this.deps.auth, mode: "proxy" });
    const initial = initialRequestHandler({
      proxy: this.proxy,
      authenticator,
      recorder: this.recorder,
      planner: () => {
        const dialplan = this.deps.dialplan();
        const directory = this.deps.directory();
        return {
          store: this.deps.store,
          dialplan: dialplan!,
          domain: directory.realm,
          node: config.node.name,
          trunks: config.trunks,
          sites: config.sites,
          features: config.features,
          contextOf: (extension) => directory.byExtensionOf(extension)?.class,
          viaPeer: (node, flow) => {
            const peer = config.cluster.peers[node];
            return peer && { destination: { transport: "UDP", address: peer.address, port: peer.port }, route: this.identity.routeViaPeer(peer, node, flow) };
          },
        };
      },
      trunkOf: (source) => this.trunkOf(source),
      realm: () => this.deps.directory().realm,
    });
    const withPlan: Stage = (incoming) => {
      if (this.deps.dialplan()) return initial(incoming);
      incoming.respond(createResponse(incoming.request, 503, "No dialplan loaded"));
      return "handled";
    };
    methods.register("INVITE", withPlan).register("MESSAGE", withPlan);
    methods.register("CANCEL", cancelHandler((cancel) => {
      const invite = findInvite(cancel);
      return invite && (() => this.proxy.cancel(invite));
    }));
  }

  private trunkOf(source: Source): { name: string; context: string } | undefined {
    for (const [name, trunk] of Object.entries(this.deps.config.trunks)) {
      if (trunk.addresses.includes(source.address)) return { name, context: trunk.context };
    }
    return undefined;
  }
}

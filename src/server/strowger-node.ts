import type { Server } from "node:http";
import { join } from "node:path";
/**
 * A Strowger node: the transports, the transaction layer and the request pipeline,
 * wired together from the config. This is the composition root; the layers below
 * know nothing of each other beyond their interfaces.
 */
import type { NodeConfig } from "../config/node-config-schema.js";
import type { Dialplan } from "../dialplan/index.js";
import type { Logger } from "../log/logger.js";
import { AuthThrottle } from "../pbx/auth/auth-throttle.js";
import { DigestAuthenticator, type AuthenticatorDeps } from "../pbx/auth/digest-authenticator.js";
import type { Directory } from "../pbx/directory/directory.js";
import { InboundRequest } from "../pbx/pipeline/inbound-request.js";
import { loadShedding } from "../pbx/pipeline/load-shedding.js";
import { RequestPipeline } from "../pbx/pipeline/request-pipeline.js";
import { registerHandler } from "../pbx/registrar/register-handler.js";
import { Registrar } from "../pbx/registrar/registrar.js";
import { NonceService } from "../sip/digest/index.js";
import { createErrorResponse, type SipParseError } from "../sip/message/index.js";
import { TransactionLayer } from "../sip/transaction/index.js";
import { TransportLayer, type Inbound, type LocalEndpoint, type Source } from "../sip/transport/index.js";
import { createStateStore, LastKnownStateStore, type StateStore } from "../state/index.js";
import { CallControl } from "./call-control.js";
import { metricsPort, startMetricsEndpoint } from "./metrics-endpoint.js";
import { NodeMetrics } from "./node-metrics.js";
import { OverloadMonitor } from "./overload-monitor.js";
import { StateFallbackReport } from "./state-fallback-report.js";
import { nodeHealth, type HealthAnswer, type HealthFacts } from "./node-health.js";
import { transportOptions } from "./transport-options-from-config.js";

/** Where a node without Redis keeps its call records, relative to its config folder. */
export const DEFAULT_CDR_FILE = "var/cdr.jsonl";

export interface NodeOptions {
  readonly config: NodeConfig;
  readonly configDir: string;
  readonly log: Logger;
  readonly directory: Directory;
  /** The plan calls are routed by; without one, calls are refused (503). */
  readonly dialplan?: Dialplan;
  /** Overrides the configured SIP ports (`--port`); 0 takes free ports (tests). */
  readonly port?: number;
  /** Overrides `state.redisUrl` (`--redis`). */
  readonly redisUrl?: string;
}

export class StrowgerNode {
  readonly pipeline: RequestPipeline;
  private readonly load: OverloadMonitor;
  private readonly calls: CallControl;
  private readonly transactions: TransactionLayer;
  private strays = 0;

  private readonly nodeName: string;
  private stopping = false;
  private directory: Directory;
  private dialplan: Dialplan | undefined;
  readonly metrics: NodeMetrics;
  private metricsServer: Server | undefined;

  private constructor(
    private readonly transport: TransportLayer,
    private readonly store: StateStore,
    fallback: StateFallbackReport,
    nonceSecret: Buffer,
    private readonly log: Logger,
    options: NodeOptions,
  ) {
    const { config } = options;
    this.nodeName = config.node.name;
    this.directory = options.directory;
    this.dialplan = options.dialplan;
    this.transactions = new TransactionLayer(transport, {
      timers: config.sip.timers,
      onServerFailure: ({ callId, branch }, failure) => log.warn({ callId, branch, failure: failure.kind }, "server transaction failed"),
    });
    this.metrics = new NodeMetrics({
      transport: () => transport.counters(),
      transactions: () => this.transactions.size,
      store,
      fallback,
      lastKnown: () => this.lastKnown(),
    });
    const auth = {
      directory: () => this.directory,
      nonces: new NonceService({ secret: nonceSecret, lifetimeMs: config.auth.nonceLifetimeSeconds * 1000 }),
      throttle: new AuthThrottle(store, config.auth.failures),
      algorithms: config.auth.algorithms,
      count: (outcome: Parameters<NonNullable<AuthenticatorDeps["count"]>>[0]) => this.metrics.authentications.inc({ outcome }),
    };
    const authenticator = new DigestAuthenticator({ ...auth, mode: "registrar" });
    this.calls = new CallControl({
      config,
      store,
      transactions: this.transactions,
      transport,
      auth,
      directory: () => this.directory,
      dialplan: () => this.dialplan,
    });
    this.calls.recorder.startSweeping(log);
    const { retryAfterSeconds, ...limits } = config.sip.overload;
    this.load = new OverloadMonitor(limits, () => this.transactions.requestCounts, (state) => {
      const readings = { lagMs: Math.round(state.lagMs), retransmissionsPerSecond: Math.round(state.retransmissionsPerSecond), newPerSecond: Math.round(state.newPerSecond) };
      if (state.shedding) log.warn({ ...readings, limits }, "overloaded: new calls and registrations get 503 until the node catches up");
      else log.info(readings, "load back to normal: new calls and registrations accepted again");
    });
    const overload = loadShedding({ overloaded: () => this.load.shedding, retryAfterSeconds, count: () => this.metrics.shed.inc() });
    this.pipeline = new RequestPipeline({ overload, routing: this.calls.routing });
    this.calls.register(this.pipeline.methods, (cancel) => this.transactions.findInviteForCancel(cancel));
    const registrar = new Registrar(store, {
      ...config.registrar,
      node: config.node.name,
      domain: () => this.directory.realm,
      count: (outcome) => this.metrics.registrations.inc({ outcome }),
    });
    this.pipeline.methods.register("REGISTER", registerHandler(authenticator, registrar));
    transport.setHandlers({
      onMessage: (inbound) => this.receive(inbound),
      onParseError: (error, source) => this.refuse(error, source),
    });
  }

  static async start(options: NodeOptions): Promise<StrowgerNode> {
    const redisUrl = options.redisUrl ?? options.config.state.redisUrl;
    // Without Redis, call records also go to a file in the config folder, so that they
    // survive a restart of a one-node install.
    const sentinel = options.config.state.sentinel;
    const fallback = new StateFallbackReport(options.log);
    const store = createStateStore(
      redisUrl === undefined && sentinel === undefined
        ? { cdrFile: join(options.configDir, DEFAULT_CDR_FILE) }
        : {
            ...(redisUrl !== undefined && { redisUrl }),
            ...(sentinel !== undefined && { sentinel }),
            onFallback: fallback.hear,
            lastKnownRefreshMs: options.config.state.lastKnownRefreshSeconds * 1000,
          },
    );
    options.log.info({ state: store.health() }, "state store");
    let node: StrowgerNode | undefined;
    try {
      const nonceSecret = await store.sharedSecret("nonce");
      const transport = new TransportLayer(transportOptions(options.config, options.configDir, options.port));
      node = new StrowgerNode(transport, store, fallback, nonceSecret, options.log, options);
      await transport.start();
      const { metrics } = options.config;
      if (metrics.enabled) {
        // With --port N the metrics move to N+9, like the SIP ports, so nodes can share a machine.
        const port = options.port === undefined ? metrics.port : options.port === 0 ? 0 : options.port + 9;
        const running = node;
        node.metricsServer = await startMetricsEndpoint(node.metrics.registry, metrics.address, port, () => running.health());
        options.log.info({ address: metrics.address, port: metricsPort(node.metricsServer) }, "metrics at /metrics, health at /health");
      }
      for (const l of transport.listening()) options.log.info({ transport: l.transport, address: l.address, port: l.port }, "listening");
      return node;
    } catch (err) {
      // Whatever opened (store, listeners) closes again, so a failed start leaves nothing bound.
      await (node ? node.stop() : store.close());
      throw err;
    }
  }

  /**
   * Swaps in a reloaded directory (and plan): registrations live in the store and are
   * untouched; calls in flight keep the plan they started with.
   */
  replaceDirectory(directory: Directory, dialplan: Dialplan | undefined = this.dialplan): void {
    this.directory = directory;
    this.dialplan = dialplan;
    this.log.info({ users: directory.size, dialplan: dialplan?.version }, "directory and dialplan reloaded");
  }

  get stateStore(): StateStore {
    return this.store;
  }

  listening(): LocalEndpoint[] {
    return this.transport.listening();
  }

  counters() {
    return { ...this.transport.counters(), transactions: this.transactions.size, strayResponses: this.strays };
  }

  /** What `GET /health` answers. */
  health(): HealthAnswer {
    return nodeHealth({ node: this.nodeName, state: this.store.health(), overloaded: this.load.shedding, stopping: this.stopping, lastKnown: this.lastKnown() });
  }

  /** What the node holds for a Redis outage (none on the embedded store). */
  private lastKnown(): HealthFacts["lastKnown"] {
    const store = this.store;
    const lastKnown = store instanceof LastKnownStateStore;
    return {
      queuedRecords: lastKnown ? store.queuedRecordCount : 0,
      waitingByes: this.calls.recorder.waitingByes,
      knownAors: lastKnown ? store.knownAorCount : 0,
    };
  }

  /** Whether the node is refusing new calls and registrations (overloaded: RFC 3261 §21.5.4). */
  get overloaded(): boolean {
    return this.load.shedding;
  }

  /** The metrics listener's port, when metrics are on. */
  get metricsPort(): number | undefined {
    return this.metricsServer && metricsPort(this.metricsServer);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.load.stop();
    this.calls.recorder.stop();
    await new Promise((resolve) => (this.metricsServer ? this.metricsServer.close(resolve) : resolve(undefined)));
    await this.transport.close();
    await this.store.close();
  }

  private receive({ message, source }: Inbound): void {
    if (message.kind === "response") {
      // RFC 6026 §8.9: a response that matches no client transaction is discarded.
      if (this.transactions.receiveResponse(message) === "stray") this.strays++;
      return;
    }
    const disposition = this.transactions.receiveRequest(message, source);
    // RFC 3261 §16.7 step 10: the ACK of a 2xx is forwarded statelessly along its Route set.
    if (disposition.kind === "ack") void this.calls.proxy.forwardAck(message, this.log);
    if (disposition.kind !== "new") return;
    const incoming = new InboundRequest(message, source, disposition.transaction, this.log);
    if (this.log.isLevelEnabled("debug")) {
      incoming.log.debug({ method: message.method, transport: source.transport, from: `${source.address}:${source.port}` }, "request");
    }
    void this.pipeline.handle(incoming);
  }

  /**
   * A request that did not parse is answered statelessly with the status its
   * defect calls for (400, 505, 513) when enough of it was read to address a
   * response; anything else is dropped, and counted by the transport layer.
   */
  private refuse(error: SipParseError, source: Source): void {
    const response = error.partial && createErrorResponse(error.partial, error.status, error.reason);
    const callId = error.partial?.fields.find((f) => f.key === "call-id")?.value;
    this.log.info({ callId, code: error.code, reason: error.reason, from: `${source.address}:${source.port}`, answered: !!response }, "malformed message");
    if (!response) return;
    let viaReadable = true;
    try {
      void response.via;
    } catch {
      viaReadable = false;
    }
    const failed = (err: unknown): void => {
      if (err !== undefined) this.log.warn({ callId, err }, "could not send the error response");
    };
    if (!viaReadable) {
      this.transport.replyToSource(response, source).catch(failed);
      return;
    }
    try {
      this.transport.sendResponse(this.transport.addressResponse(response, source), failed);
    } catch (err) {
      failed(err);
    }
  }
}

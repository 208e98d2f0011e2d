/**
 * What an operator pages on (CONVENTIONS.md "Logs, metrics, secrets"), as
 * Prometheus metrics: registrations and authentications by outcome, SIP traffic
 * and malformed input, transactions in flight, bindings, and the state store's
 * health. Counters are bumped on the hot path; gauges are read at scrape time.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { StateStore } from "../state/index.js";
import type { TransportCounters } from "../sip/transport/index.js";
import type { HealthFacts } from "./node-health.js";
import type { StateFallbackReport } from "./state-fallback-report.js";

export interface MetricSources {
  readonly transport: () => TransportCounters;
  readonly transactions: () => { client: number; server: number };
  readonly store: StateStore;
  readonly fallback: StateFallbackReport;
  /** What the node holds for a Redis outage. */
  readonly lastKnown: () => HealthFacts["lastKnown"];
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly registrations = new Counter({
    name: "strowger_registrations_total",
    help: "REGISTER outcomes: registered (new), refreshed, unregistered, refused",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly shed = new Counter({
    name: "strowger_requests_shed_total",
    help: "New calls, registrations, subscriptions and messages refused with 503 while the node was overloaded",
    registers: [this.registry],
  });
  readonly authentications = new Counter({
    name: "strowger_auth_total",
    help: "Digest authentication outcomes: challenged, authenticated, failed, blocked, replayed, stale",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: "strowger_process_" });
    new Gauge({
      name: "strowger_sip_messages_total",
      help: "SIP messages in and out by transport since start",
      labelNames: ["direction", "transport"] as const,
      registers: [this.registry],
      collect() {
        const counters = sources.transport();
        for (const [transport, n] of Object.entries(counters.messagesIn)) this.set({ direction: "in", transport }, n);
        for (const [transport, n] of Object.entries(counters.messagesOut)) this.set({ direction: "out", transport }, n);
      },
    });
    new Gauge({
      name: "strowger_sip_rejected_input_total",
      help: "Input refused since start: malformed (answered 400/505/513 where possible) and dropped (could not be framed)",
      labelNames: ["kind"] as const,
      registers: [this.registry],
      collect() {
        const counters = sources.transport();
        this.set({ kind: "malformed" }, counters.malformed);
        this.set({ kind: "dropped" }, counters.dropped);
      },
    });
    new Gauge({
      name: "strowger_sip_connections",
      help: "Open TCP, TLS and WebSocket connections",
      registers: [this.registry],
      collect() {
        this.set(sources.transport().connections);
      },
    });
    new Gauge({
      name: "strowger_sip_transactions",
      help: "SIP transactions in flight",
      labelNames: ["side"] as const,
      registers: [this.registry],
      collect() {
        const size = sources.transactions();
        this.set({ side: "client" }, size.client);
        this.set({ side: "server" }, size.server);
      },
    });
    new Gauge({
      name: "strowger_registered_bindings",
      help: "Live registrations (bindings) across the cluster",
      registers: [this.registry],
      async collect() {
        // While the store is unreachable the last figure stands (strowger_state_store_up
        // says why): a scrape that failed would hide every other metric when they matter most.
        await sources.store.countBindings().then((counts) => this.set(counts.bindings), ignore);
      },
    });
    new Gauge({
      name: "strowger_live_calls",
      help: "Answered calls in progress across the cluster (dialogs in the shared store)",
      registers: [this.registry],
      async collect() {
        await sources.store.countDialogs().then((n) => this.set(n), ignore);
      },
    });
    new Gauge({
      name: "strowger_state_store_up",
      help: "1 when the shared state store is reachable, else 0",
      registers: [this.registry],
      collect() {
        this.set(sources.store.health().state === "ready" ? 1 : 0);
      },
    });
    new Gauge({
      name: "strowger_state_fallbacks_total",
      help: "Operations answered from the node's own memory while the shared state store was unreachable, by operation",
      labelNames: ["operation"] as const,
      registers: [this.registry],
      collect() {
        for (const [operation, n] of sources.fallback.fallbacks) this.set({ operation }, n);
      },
    });
    new Gauge({
      name: "strowger_state_queued_records",
      help: "Call records waiting for the shared state store to come back",
      registers: [this.registry],
      collect() {
        this.set(sources.lastKnown().queuedRecords);
      },
    });
    new Gauge({
      name: "strowger_state_known_aors",
      help: "AORs whose bindings the node holds in memory, to route to while the shared state store is unreachable",
      registers: [this.registry],
      collect() {
        this.set(sources.lastKnown().knownAors);
      },
    });
    new Gauge({
      name: "strowger_state_waiting_byes",
      help: "BYEs of calls answered before the shared state store became unreachable, waiting for it to record their end",
      registers: [this.registry],
      collect() {
        this.set(sources.lastKnown().waitingByes);
      },
    });
    new Gauge({
      name: "strowger_state_lost_total",
      help: "Dialogs and call records lost while the shared state store was unreachable (queue full, or refused when written back)",
      registers: [this.registry],
      collect() {
        this.set(sources.fallback.dropped);
      },
    });
  }
}

/** A store-backed gauge keeps its last figure while the store is unreachable. */
function ignore(): void {}

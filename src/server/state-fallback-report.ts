/**
 * Says loudly that a node on Redis is answering from its own memory (ARCHITECTURE.md:
 * "say so loudly (logs, metrics, health endpoint)"): an error line when an outage
 * begins, one for every entry lost, an info line when Redis has been given back what
 * was kept, and the counts its metrics read.
 */
import type { Logger } from "../log/logger.js";
import type { FallbackOperation, LastKnownEvent } from "../state/index.js";

export class StateFallbackReport {
  private readonly answered = new Map<FallbackOperation, number>();
  private lost = 0;

  constructor(private readonly log: Logger) {}

  /** Operations answered from the node's memory since start, by operation. */
  get fallbacks(): ReadonlyMap<FallbackOperation, number> {
    return this.answered;
  }

  /** Dialogs and call records lost since start (queue full, or refused on write-back). */
  get dropped(): number {
    return this.lost;
  }

  readonly hear = (event: LastKnownEvent): void => {
    switch (event.kind) {
      case "fallback":
        this.answered.set(event.operation, (this.answered.get(event.operation) ?? 0) + 1);
        if (event.first) {
          this.log.error(
            { operation: event.operation, reason: event.reason },
            "shared state unreachable: calls are routed from the bindings this node last saw, digest nonce counts are checked on this node only, " +
              "registrations are refused (503) and call records are queued until Redis is back; check that Redis is running and reachable",
          );
        }
        return;
      case "reconciled":
        this.log.info({ dialogs: event.dialogs, records: event.records }, "shared state back: the calls and call records kept during the outage are written to it");
        return;
      case "reconcile-interrupted":
        this.log.warn({ err: event.error, records: event.records }, "shared state lost again while the outage's calls and records were written back; trying again when it returns");
        return;
      case "refreshed":
        this.log.debug({ aors: event.aors }, "last known bindings refreshed from the shared state");
        return;
      case "refresh-failed":
        this.log.warn({ err: event.error }, "last known bindings not refreshed from the shared state; tried again at the next refresh");
        return;
      case "abandoned":
        this.lost += event.dialogs + event.records;
        this.log.error({ dialogs: event.dialogs, records: event.records }, "stopped with calls and call records of a Redis outage never written to it: they are lost");
        return;
      case "dropped":
        this.lost++;
        this.log.error({ what: event.what, id: event.id, reason: event.reason }, `${event.what} lost while the shared state was unreachable`);
        return;
    }
  };
}

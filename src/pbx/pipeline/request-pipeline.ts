/**
 * The request pipeline, a short chain of named stages in the order of the
 * well-known kamailio.cfg: initial checks → (in-dialog → authentication →
 * registrar → routing, as they arrive) → the requests this node answers itself.
 */
import type { IncomingRequest, Stage } from "./incoming-request.js";
import { optionsHandler } from "./options-handler.js";
import { sanityChecks } from "./sanity-checks.js";
import { UasDispatch } from "./uas-dispatch.js";

/**
 * RFC 3261 §17.2.3, §13.2.2.4: an ACK is never answered. An ACK to a non-2xx is
 * absorbed by its INVITE server transaction before it gets here; an ACK to a 2xx
 * belongs to a dialog, which this node does not hold yet.
 */
const ackIsNeverAnswered: Stage = (incoming) => (incoming.request.method === "ACK" ? "handled" : "next");

export class RequestPipeline {
  readonly uas = new UasDispatch();
  private readonly stages: Stage[];

  constructor() {
    this.uas.register("OPTIONS", optionsHandler(() => this.uas.allow()));
    this.stages = [ackIsNeverAnswered, sanityChecks, (incoming) => this.uas.dispatch(incoming)];
  }

  handle(incoming: IncomingRequest): void {
    for (const stage of this.stages) if (stage(incoming) === "handled") return;
  }
}

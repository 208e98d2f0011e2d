/**
 * The request pipeline, a short chain of named stages in the order of the
 * well-known kamailio.cfg: initial checks → (in-dialog → authentication →
 * registrar → routing, as they arrive) → the requests this node answers itself.
 */
import { createResponse } from "../../sip/message/index.js";
import { isStateError } from "../../state/index.js";
import type { IncomingRequest, Stage } from "./incoming-request.js";
import { optionsHandler } from "./options-handler.js";
import { sanityChecks } from "./sanity-checks.js";
import { MethodDispatch } from "./method-dispatch.js";

/**
 * RFC 3261 §17.2.3, §13.2.2.4: an ACK is never answered. An ACK to a non-2xx is
 * absorbed by its INVITE server transaction before it gets here; an ACK to a 2xx
 * belongs to a dialog, which this node does not hold yet.
 */
const ackIsNeverAnswered: Stage = (incoming) => (incoming.request.method === "ACK" ? "handled" : "next");

export class RequestPipeline {
  readonly methods = new MethodDispatch();
  private readonly stages: Stage[];

  /**
   * `overload` refuses new work while the node is overloaded (first: the cheapest
   * answer); `routing` is the proxy's stage (loops, in-dialog routing), run before
   * method dispatch.
   */
  constructor({ overload, routing }: { readonly overload?: Stage; readonly routing?: Stage } = {}) {
    this.methods.register("OPTIONS", optionsHandler(() => this.methods.allow()));
    this.stages = [
      ackIsNeverAnswered,
      ...(overload ? [overload] : []),
      sanityChecks,
      ...(routing ? [routing] : []),
      (incoming) => this.methods.dispatch(incoming),
    ];
  }

  /**
   * Runs the stages until one answers. A fault of this node is answered too: 503
   * with Retry-After while the shared state is unreachable (a phone then tries the
   * other node, RFC 3261 §21.5.4), 500 for anything else, and logged with the Call-ID.
   */
  async handle(incoming: IncomingRequest): Promise<void> {
    try {
      for (const stage of this.stages) {
        const result = stage(incoming);
        // Most stages answer at once: awaiting their answer would cost a microtask
        // turn per stage per request.
        if ((typeof result === "string" ? result : await result) === "handled") return;
      }
    } catch (err) {
      const unavailable = isStateError(err, "STATE_UNAVAILABLE");
      incoming.log.error({ err }, unavailable ? "shared state unreachable" : "request failed");
      if (incoming.request.method === "ACK") return;
      const response = createResponse(incoming.request, unavailable ? 503 : 500);
      if (unavailable) response.headers.set("Retry-After", "5");
      incoming.respond(response);
    }
  }
}

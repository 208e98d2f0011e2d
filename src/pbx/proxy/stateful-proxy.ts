/**
 * The proxy core (RFC 3261 §16): initial requests forwarded along a call plan,
 * in-dialog requests routed by their Route set (§16.12), ACKs of 2xx forwarded
 * statelessly, and CANCEL propagated to the branches of the INVITE it cancels.
 */
import type { Logger } from "../../log/logger.js";
import { createResponse, newBranch, type SipRequest } from "../../sip/message/index.js";
import type { ServerTransaction } from "../../sip/transaction/index.js";
import type { IncomingRequest } from "../pipeline/incoming-request.js";
import { singleStep, type CallPlan } from "./branch-target.js";
import { nextHopUri, resolveUri } from "./next-hop.js";
import { ProxyCall, type CallEvents, type ProxyDeps } from "./proxy-call.js";
import { preprocessRoutes } from "./route-set.js";

export class StatefulProxy {
  /** Forwarded INVITEs by their server transaction, for CANCEL (§16.10). */
  private readonly invites = new Map<ServerTransaction, ProxyCall>();

  constructor(private readonly deps: ProxyDeps) {}

  /** Forwards an initial request along `plan`, record-routing INVITEs (§16.6 step 4). */
  forward(incoming: IncomingRequest, transaction: ServerTransaction, plan: CallPlan, events?: CallEvents): void {
    // §16.4: Route entries naming this proxy (a phone's outbound-proxy route) come off first.
    const request = incoming.request.clone();
    preprocessRoutes(request, this.deps.identity);
    const isInvite = request.method === "INVITE";
    const call = new ProxyCall(this.deps, transaction, request, incoming.source, plan, incoming, {
      recordRoute: isInvite,
      events: {
        onAnswered: (response, target) => {
          this.invites.delete(transaction);
          events?.onAnswered?.(response, target);
        },
        onFailed: (response, cancelled) => {
          this.invites.delete(transaction);
          events?.onFailed?.(response, cancelled);
        },
      },
    });
    if (isInvite) this.invites.set(transaction, call);
    call.start();
  }

  /**
   * A request inside a dialog (RFC 3261 §16.12): after route preprocessing, the next
   * hop is the top Route, else the Request-URI. One that came here without naming this
   * cluster in its Route set is not ours to route: 404.
   */
  async routeInDialog(incoming: IncomingRequest, transaction: ServerTransaction): Promise<void> {
    const request = incoming.request.clone();
    const routed = preprocessRoutes(request, this.deps.identity);
    if (!routed.ours) {
      incoming.respond(createResponse(incoming.request, 404, "Not a dialog routed through here"));
      return;
    }
    const target = { uri: request.uri, label: request.uri, ...(routed.flow && { destination: routed.flow }) };
    const call = new ProxyCall(this.deps, transaction, request, incoming.source, singleStep({ targets: [target], label: "in-dialog" }), incoming, {
      recordRoute: false,
    });
    call.start();
  }

  /**
   * An initial request a peer node sent through this one because this node holds the
   * callee's flow (the Route names it): delivered over that flow, record-routed so the
   * dialog's requests come this way too. Only peers may ask (no open relay).
   */
  routeFromPeer(incoming: IncomingRequest, transaction: ServerTransaction): boolean {
    const request = incoming.request.clone();
    const routed = preprocessRoutes(request, this.deps.identity);
    if (!routed.flow) return false;
    const target = { uri: request.uri, label: `${request.uri} via its flow`, destination: routed.flow };
    new ProxyCall(this.deps, transaction, request, incoming.source, singleStep({ targets: [target], label: "from peer" }), incoming, {
      recordRoute: request.method === "INVITE",
    }).start();
    return true;
  }

  /**
   * RFC 3261 §16.7 step 10 / §13.2.2.4: the ACK of a 2xx is its own transaction end to
   * end, so a proxy forwards it without a transaction (statelessly), by its Route set.
   */
  async forwardAck(ack: SipRequest, log: Logger): Promise<void> {
    try {
      const out = ack.clone();
      const routed = preprocessRoutes(out, this.deps.identity);
      if (!routed.ours) return;
      const mf = ack.maxForwards;
      out.headers.set("Max-Forwards", String(mf === undefined ? 70 : mf - 1));
      const destination = routed.flow ?? (await resolveUri(nextHopUri(out)));
      const local = this.deps.sender.localFor(destination);
      if (!local) return;
      out.headers.prepend("Via", this.deps.identity.via(local, newBranch()));
      await this.deps.sender.sendRequest(out, destination);
    } catch (err) {
      // A malformed Route, an unknown host, a closed flow: the ACK is lost, as on a
      // lossy network; the callee retransmits its 2xx and the caller ACKs again.
      log.info({ callId: ack.callId, err: err instanceof Error ? err.message : String(err) }, "ACK not forwarded");
    }
  }

  /** §16.10: a CANCEL for a forwarded INVITE cancels its branches (none: nothing to do). */
  cancel(invite: ServerTransaction): void {
    this.invites.get(invite)?.cancel();
  }
}

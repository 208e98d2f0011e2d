/**
 * One request forwarded statefully (RFC 3261 §16): its server transaction, the
 * branches it forked to, and the response context that picks what goes upstream
 * (§16.7). Steps of a `CallPlan` run one after another (serial forking: hunt
 * groups, forward on busy or no answer); the targets of a step ring together
 * (parallel forking to every contact of a user).
 */
import type { SipRequest, SipResponse } from "../../sip/message/index.js";
import { InviteClientTransaction, type ClientTransaction, type ServerTransaction, type TransactionLayer } from "../../sip/transaction/index.js";
import type { Endpoint, LocalEndpoint, MessageSender, Source } from "../../sip/transport/index.js";
import type { Logger } from "../../log/logger.js";
import { createResponse } from "../../sip/message/index.js";
import { bestResponse } from "./best-response.js";
import type { BranchTarget, CallPlan, ForkStep, StepOutcome } from "./branch-target.js";
import { cancelFor } from "./cancel-request.js";
import { forwardedRequest } from "./forwarded-request.js";
import { proxyBranch } from "./loop-detection.js";
import { nextHopUri, resolveUri } from "./next-hop.js";
import type { Flow, ProxyIdentity } from "./proxy-identity.js";

/** The phone flow a destination is, when it names a connection (TCP, TLS, WebSocket). */
function flowOf(destination: Endpoint): Flow | undefined {
  return destination.connectionId === undefined ? undefined : { ...destination, connectionId: destination.connectionId };
}

/** RFC 3261 §16.6 step 11: Timer C, "MUST be set to a value greater than 3 minutes". */
const TIMER_C_MS = 181_000;

export interface ProxyDeps {
  readonly transactions: TransactionLayer;
  readonly sender: MessageSender & { localFor(destination: Endpoint): LocalEndpoint | undefined };
  readonly identity: ProxyIdentity;
}

export interface CallEvents {
  /** The first 2xx to come back, and the branch it came from. */
  onAnswered?(response: SipResponse, target: BranchTarget): void;
  /** The final response sent upstream when nothing answered. */
  onFailed?(response: SipResponse, cancelled: boolean): void;
}

/** §16.7 step 3: the Via this proxy added comes off a response before it goes upstream. */
function upstream(received: SipResponse): SipResponse {
  const response = received.clone();
  response.headers.shift("Via");
  return response;
}

/**
 * Where a branch's client transaction reports: the call while it decides, and once the
 * call has settled (answered or failed, every branch done) the server transaction
 * alone. An answered INVITE's client transaction lives on in Accepted for 32 s and
 * passes up every retransmitted 2xx (RFC 6026 §8.4), which goes upstream too (§16.7
 * step 5); for that the call's requests, plan and logger need not live as long.
 */
class BranchRelay {
  private deciding: { readonly call: ProxyCall; readonly branch: Branch } | undefined;

  constructor(
    call: ProxyCall,
    branch: Branch,
    private readonly server: ServerTransaction,
  ) {
    this.deciding = { call, branch };
  }

  readonly deliver = (response: SipResponse): void => {
    if (this.deciding) this.deciding.call.onResponse(this.deciding.branch, response);
    else if (response.status >= 200 && response.status < 300) this.server.respond(upstream(response));
  };

  /**
   * Lets go of the call, unless the branch still owes a CANCEL: §9.1 holds a CANCEL
   * back until the branch's first provisional response, and that response, when it
   * comes, must still reach the call to send it.
   */
  release(): void {
    const branch = this.deciding?.branch;
    if (branch && branch.cancelWanted && !branch.cancelled) return;
    this.deciding = undefined;
  }
}

interface Branch {
  readonly target: BranchTarget;
  request?: SipRequest;
  destination?: Endpoint;
  tx?: ClientTransaction;
  relay?: BranchRelay;
  provisional: boolean;
  done: boolean;
  /** §9.1: a CANCEL waits for the branch's first provisional response. */
  cancelWanted: boolean;
  cancelled: boolean;
  timerC?: NodeJS.Timeout;
}

export class ProxyCall {
  private branches: Branch[] = [];
  private finals: SipResponse[] = [];
  private earlier: SipResponse[] = [];
  private answered = false;
  private finished = false;
  private cancelled = false;
  private ringTimedOut = false;
  private stepTimer: NodeJS.Timeout | undefined;
  /** Every branch's relay, of every step, let go of this call when it settles. */
  private readonly relays: BranchRelay[] = [];

  constructor(
    private readonly deps: ProxyDeps,
    private readonly server: ServerTransaction,
    private readonly request: SipRequest,
    private readonly source: Source,
    private readonly plan: CallPlan,
    /** The request's logger, made on first use (most calls log nothing here). */
    private readonly logs: { readonly log: Logger },
    private readonly options: { readonly recordRoute: boolean; readonly events?: CallEvents },
  ) {}

  start(): void {
    void this.runStep(this.plan.first);
  }

  /** RFC 3261 §16.10: an upstream CANCEL cancels every pending branch; their 487s go back up. */
  cancel(): void {
    if (this.answered || this.finished) return;
    this.cancelled = true;
    this.clearStepTimer();
    for (const branch of this.branches) {
      this.cancelBranch(branch);
      // A branch that has not rung cannot be cancelled yet (§9.1, its CANCEL waits for
      // a provisional); the caller is not kept waiting for it.
      if (!branch.provisional && !branch.done) this.branchFinal(branch, createResponse(this.request, 487));
    }
  }

  private async runStep(step: ForkStep): Promise<void> {
    this.branches = [];
    this.finals = [];
    this.ringTimedOut = false;
    if (step.targets.length === 0) return this.stepEnded();
    this.branches = step.targets.map((target) => ({ target, provisional: false, done: false, cancelWanted: false, cancelled: false }));
    if (step.ringMs !== undefined) this.stepTimer = setTimeout(() => this.ringTimeout(), step.ringMs).unref();
    await Promise.all(this.branches.map((branch) => this.fork(branch)));
  }

  private async fork(branch: Branch): Promise<void> {
    try {
      await this.forkOrFail(branch);
    } catch (err) {
      // A fault of this node on one branch ends that branch, not the node.
      this.logs.log.error({ target: branch.target.label, err }, "branch not forwarded");
      this.branchFinal(branch, createResponse(this.request, 500));
    }
  }

  private async forkOrFail(branch: Branch): Promise<void> {
    const out = forwardedRequest(this.request, branch.target);
    let destination: Endpoint;
    try {
      destination = branch.target.destination ?? (await resolveUri(nextHopUri(out)));
    } catch (err) {
      this.logs.log.info({ target: branch.target.label, err: err instanceof Error ? err.message : String(err) }, "target unreachable");
      return this.branchFinal(branch, createResponse(this.request, 404, "Target not reachable"));
    }
    const local = this.deps.sender.localFor(destination);
    if (!local) return this.branchFinal(branch, createResponse(this.request, 503, `No ${destination.transport} listener`));
    if (this.options.recordRoute) this.recordRoute(out, local, flowOf(destination));
    out.headers.prepend("Via", this.deps.identity.via(local, proxyBranch(this.request)));
    branch.request = out;
    branch.destination = destination;
    if (this.cancelled || this.answered) return this.branchFinal(branch, createResponse(this.request, 487));
    branch.relay = new BranchRelay(this, branch, this.server);
    this.relays.push(branch.relay);
    branch.tx = this.deps.transactions.createClientTransaction(out, destination, branch.relay.deliver);
    if (out.method === "INVITE") branch.timerC = setTimeout(() => this.timerC(branch), TIMER_C_MS).unref();
  }

  /**
   * RFC 3261 §16.6 step 4: Record-Route, so in-dialog requests come through this
   * cluster. When the call enters and leaves on different sockets (UDP in, WebSocket
   * out) both are recorded (RFC 5658 double record-routing): each side then reaches
   * the socket facing it.
   */
  private recordRoute(out: SipRequest, outbound: LocalEndpoint, flow: Flow | undefined): void {
    const inbound: LocalEndpoint = { transport: this.source.transport, address: this.source.localAddress, port: this.source.localPort };
    const rrIn = this.deps.identity.recordRoute(inbound);
    // An entry pinned to a phone's flow is used only by the other node (the phone
    // sends on its own connection whatever the entry says), so it names this node's
    // UDP socket, which a peer can reach; never the WebSocket one, which it cannot.
    const pinnedSocket = flow && this.deps.sender.localFor({ transport: "UDP", address: outbound.address, port: 0 });
    const rrOut = this.deps.identity.recordRoute(pinnedSocket ?? outbound, flow);
    out.headers.prepend("Record-Route", rrIn);
    if (rrOut !== rrIn) out.headers.prepend("Record-Route", rrOut);
  }

  /** A response from a branch's client transaction (through its relay). */
  onResponse(branch: Branch, received: SipResponse): void {
    // The Via comes off at once, so that every response kept or sent is ready for
    // upstream (as are the ones made here).
    const response = upstream(received);
    if (response.status < 200) {
      branch.provisional = true;
      if (branch.timerC) branch.timerC.refresh();
      if (branch.cancelWanted) this.sendCancel(branch);
      // §16.7 step 5: provisional responses other than 100 go upstream at once.
      if (response.status > 100 && !this.answered && !this.finished) this.forward(response);
      return;
    }
    if (response.status < 300) {
      // §16.7 step 5: every 2xx goes upstream at once, retransmissions included.
      this.forward(response);
      if (!this.answered) {
        this.answered = true;
        this.clearStepTimer();
        this.options.events?.onAnswered?.(response, branch.target);
        // §16.7 step 10: other branches of an answered INVITE are cancelled.
        for (const other of this.branches) if (other !== branch) this.cancelBranch(other);
      }
      this.finishBranch(branch);
      return;
    }
    this.branchFinal(branch, response);
  }

  private branchFinal(branch: Branch, response: SipResponse): void {
    if (branch.done) return;
    this.finishBranch(branch);
    this.finals.push(response);
    // §16.7 step 5: a 6xx ends the search; pending branches are cancelled.
    if (response.status >= 600) for (const other of this.branches) this.cancelBranch(other);
    if (this.branches.every((b) => b.done)) this.stepEnded();
  }

  private finishBranch(branch: Branch): void {
    branch.done = true;
    if (branch.timerC) clearTimeout(branch.timerC);
    this.releaseIfSettled();
  }

  /** Settled: answered or failed upstream, and no branch still waiting for its final response (a relay owing a CANCEL stays). */
  private releaseIfSettled(): void {
    if (!(this.answered || this.finished) || !this.branches.every((b) => b.done)) return;
    for (const relay of this.relays) relay.release();
  }

  private stepEnded(): void {
    this.clearStepTimer();
    if (this.answered || this.finished) return;
    let best = bestResponse(this.request, this.finals);
    // A step cut off by its ring time was not answered: the caller hears "no answer", not the 487s of our own CANCELs.
    if (this.ringTimedOut && !this.cancelled) best = createResponse(this.request, 480, "No Answer");
    const outcome: StepOutcome = best.status === 486 || best.status === 600 ? "busy" : best.status === 480 || best.status === 408 ? "no-answer" : "failed";
    const next = this.cancelled || best.status >= 600 ? undefined : this.plan.next(outcome, best.status);
    if (next) {
      this.earlier.push(best);
      void this.runStep(next);
      return;
    }
    this.finished = true;
    const final = this.cancelled ? createResponse(this.request, 487) : bestResponse(this.request, [...this.earlier, best]);
    this.options.events?.onFailed?.(final, this.cancelled);
    this.forward(final);
    this.releaseIfSettled();
  }

  /** The ring time of a serial step is up: its branches are cancelled and the plan moves on. */
  private ringTimeout(): void {
    this.stepTimer = undefined;
    this.ringTimedOut = true;
    for (const branch of this.branches) {
      this.cancelBranch(branch);
      // A branch that never rang cannot be cancelled yet (§9.1); the step does not wait for it.
      if (!branch.provisional && !branch.done) this.branchFinal(branch, createResponse(this.request, 408));
    }
  }

  /** §16.8: Timer C: a branch that rang too long is cancelled; one that never answered at all times out. */
  private timerC(branch: Branch): void {
    if (branch.done) return;
    if (branch.provisional) this.cancelBranch(branch);
    else this.branchFinal(branch, createResponse(this.request, 408));
  }

  private cancelBranch(branch: Branch): void {
    if (branch.done && !branch.provisional) return;
    if (branch.cancelled || branch.request?.method !== "INVITE") return;
    branch.cancelWanted = true;
    if (branch.provisional) this.sendCancel(branch);
  }

  private sendCancel(branch: Branch): void {
    if (branch.cancelled || !branch.request || !branch.destination) return;
    branch.cancelled = true;
    const cancel = cancelFor(branch.request);
    // The CANCEL's own response ends its transaction; the INVITE's 487 is what matters,
    // and its transaction makes one up if the callee never sends it (§9.1).
    this.deps.transactions.createClientTransaction(cancel, branch.destination, () => undefined);
    if (branch.tx instanceof InviteClientTransaction) branch.tx.cancelSent();
  }

  private forward(response: SipResponse): void {
    this.server.respond(response);
  }

  private clearStepTimer(): void {
    if (this.stepTimer) clearTimeout(this.stepTimer);
    this.stepTimer = undefined;
  }
}

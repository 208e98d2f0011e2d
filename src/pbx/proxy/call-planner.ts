/**
 * From the dialplan's decision to a call plan (RFC 3261 §16.5 target sets, and the
 * PBX features around them): a user rings on every registered device at once; a
 * hunt group rings its members in turn or together, then overflows; a user's
 * forwarding (busy, no answer, unregistered) and do-not-disturb follow the user's
 * step; a legacy site or trunk gets the dialled number at the trunk's address.
 * Each forward adds an RFC 5806 Diversion, and a call diverted MAX_DIVERSIONS times
 * is not forwarded again, so two systems never bounce a call between them.
 */
import { route, type Decision, type Dialplan, type Target } from "../../dialplan/index.js";
import { isSipUri, parseUri } from "../../sip/message/index.js";
import type { Binding, StateStore } from "../../state/index.js";
import type { Endpoint, TransportName } from "../../sip/transport/index.js";
import type { BranchTarget } from "./branch-target.js";
import type { Flow } from "./proxy-identity.js";
import { planFrom, thenOnAll, type PlanNode } from "./plan-tree.js";
import type { CallPlan } from "./branch-target.js";

export const MAX_DIVERSIONS = 5;

/** How long a user's phones ring before a forward on no answer, when the user's features do not say. */
export const DEFAULT_NO_ANSWER_SECONDS = 20;

export interface UserFeatures {
  readonly dnd?: boolean;
  readonly forwardBusy?: string;
  readonly forwardNoAnswer?: string;
  readonly noAnswerSeconds?: number;
  readonly forwardUnregistered?: string;
}

export interface PlannerContext {
  readonly store: StateStore;
  readonly dialplan: Dialplan;
  readonly domain: string;
  readonly node: string;
  readonly trunks: Readonly<Record<string, { readonly uri: string }>>;
  readonly sites: Readonly<Record<string, { readonly legacyTrunk?: string }>>;
  readonly features: Readonly<Record<string, UserFeatures>>;
  /** Class of service of an extension, for forwarded calls dialled in the forwarding user's context. */
  readonly contextOf: (extension: string) => string | undefined;
  /** How to reach a phone whose flow another node holds: through that node (undefined: the node is not a known peer). */
  readonly viaPeer: (node: string, flow: Flow) => { readonly destination: Endpoint; readonly route: string } | undefined;
  readonly now: number;
}

export type Planned =
  | { readonly kind: "plan"; readonly plan: CallPlan; readonly decision: Decision & { kind: "route" } }
  | { readonly kind: "reject"; readonly status: number; readonly reason: string; readonly decision?: Decision };

/** Diversions already on the call: the sum of RFC 5806 counters (1 where absent). */
export function diversionCount(values: readonly string[]): number {
  return values.reduce((n, v) => n + Number(/;\s*counter\s*=\s*(\d+)/i.exec(v)?.[1] ?? 1), 0);
}

class Planner {
  constructor(
    private readonly ctx: PlannerContext,
    private diversions: number,
  ) {}

  async target(target: Target, dialled: string, label: string): Promise<PlanNode | undefined> {
    switch (target.kind) {
      case "user":
        return this.user(target.extension);
      case "group": {
        const members = await Promise.all(target.members.map(async (m) => ({ m, targets: await this.devices(m) })));
        const live = members.filter((x) => x.targets.length > 0);
        const ringMs = target.ringSeconds * 1000;
        let root: PlanNode | undefined;
        if (target.strategy === "parallel") {
          const targets = live.flatMap((x) => x.targets);
          if (targets.length > 0) root = { step: { targets, ringMs, label: `group ${target.name}` } };
        } else {
          for (const { m, targets } of [...live].reverse()) {
            const node: PlanNode = { step: { targets, ringMs, label: `group ${target.name}: ${m}` } };
            if (root) thenOnAll(node, root);
            root = node;
          }
        }
        const overflow = target.overflow && (await this.target(target.overflow, dialled, `overflow of ${target.name}`));
        if (!root) return overflow;
        if (overflow) thenOnAll(root, overflow);
        return root;
      }
      case "legacy": {
        const trunk = this.ctx.sites[target.site]?.legacyTrunk;
        return trunk === undefined ? undefined : this.trunk(trunk, dialled, `legacy PBX of ${target.site}`);
      }
      case "trunk":
        return this.trunk(target.name, dialled, label);
      case "lcr":
        // Least-cost routing arrives with the next issue; until then no route is found.
        return undefined;
    }
  }

  private trunk(name: string, dialled: string, label: string): PlanNode | undefined {
    const trunk = this.ctx.trunks[name];
    if (!trunk) return undefined;
    const uri = parseUri(trunk.uri);
    if (!isSipUri(uri)) return undefined;
    const params = uri.params.map((p) => (p.value === null ? `;${p.name}` : `;${p.name}=${p.value}`)).join("");
    const port = uri.port === undefined ? "" : `:${uri.port}`;
    return { step: { targets: [{ uri: `${uri.scheme}:${dialled}@${uri.host}${port}${params}`, label: `${label} (${name})` }], label } };
  }

  private async devices(extension: string): Promise<BranchTarget[]> {
    const bindings = await this.ctx.store.getBindings(`sip:${extension}@${this.ctx.domain}`, this.ctx.now);
    return bindings.map((b) => this.deviceTarget(extension, b));
  }

  /**
   * A phone is reached where its REGISTER came from (its NAT binding, its TCP, TLS or
   * WebSocket flow), with its Path as Route; a flow another node holds is reached
   * through that node.
   */
  private deviceTarget(extension: string, b: Binding): BranchTarget {
    const label = `${extension} at ${b.contact}`;
    const source = { transport: b.source.transport as TransportName, address: b.source.address, port: b.source.port };
    const connectionId = b.source.connectionId;
    const path = b.path.length > 0 ? { route: b.path } : {};
    if (connectionId === undefined) return { uri: b.contact, destination: source, ...path, label };
    if (b.node === this.ctx.node) return { uri: b.contact, destination: { ...source, connectionId }, ...path, label };
    const peer = this.ctx.viaPeer(b.node, { ...source, connectionId });
    if (!peer) return { uri: b.contact, destination: source, ...path, label: `${label} (node ${b.node} unknown: tried directly)` };
    return { uri: b.contact, destination: peer.destination, route: [peer.route, ...b.path], label: `${label} via ${b.node}` };
  }

  private async user(extension: string): Promise<PlanNode | undefined> {
    const features = this.ctx.features[extension];
    const devices = await this.devices(extension);
    const forward = (number: string | undefined, reason: string) => (number === undefined ? undefined : this.forward(extension, number, reason));
    if (features?.dnd) return (await forward(features.forwardBusy, "do-not-disturb")) ?? undefined;
    if (devices.length === 0) return forward(features?.forwardUnregistered, "unavailable");
    const node: PlanNode = {
      step: {
        targets: devices,
        ...(features?.forwardNoAnswer !== undefined && { ringMs: (features.noAnswerSeconds ?? DEFAULT_NO_ANSWER_SECONDS) * 1000 }),
        label: `user ${extension}`,
      },
    };
    const busy = await forward(features?.forwardBusy, "user-busy");
    if (busy) node.busy = busy;
    const noAnswer = await forward(features?.forwardNoAnswer, "no-answer");
    if (noAnswer) node.noAnswer = noAnswer;
    return node;
  }

  /** A forwarded call, dialled again in the forwarding user's context, with a Diversion (RFC 5806). */
  private async forward(from: string, number: string, reason: string): Promise<PlanNode | undefined> {
    if (this.diversions >= MAX_DIVERSIONS) return undefined;
    this.diversions++;
    const context = this.ctx.contextOf(from);
    if (context === undefined) return undefined;
    const decision = route(this.ctx.dialplan, { from, context, dialled: number }, this.ctx.now);
    if (decision.kind !== "route") return undefined;
    const diversion: [string, string] = ["Diversion", `<sip:${from}@${this.ctx.domain}>;reason=${reason};counter=${this.diversions}`];
    const node = await this.targets(decision.targets, decision.dialled);
    return node && withHeader(node, diversion);
  }

  async targets(targets: readonly Target[], dialled: string): Promise<PlanNode | undefined> {
    // The decision's targets are alternatives in order: the next is tried when one fails.
    let root: PlanNode | undefined;
    let last: PlanNode | undefined;
    for (const t of targets) {
      const node = await this.target(t, dialled, t.kind);
      if (!node) continue;
      if (last) last.failed = node;
      root ??= node;
      last = node;
    }
    return root;
  }
}

function withHeader(node: PlanNode, header: readonly [string, string], seen = new Map<PlanNode, PlanNode>()): PlanNode {
  const done = seen.get(node);
  if (done) return done;
  const copy: PlanNode = {
    step: { ...node.step, targets: node.step.targets.map((t) => ({ ...t, headers: [...(t.headers ?? []), header] })) },
  };
  seen.set(node, copy);
  for (const key of ["busy", "noAnswer", "failed"] as const) {
    const next = node[key];
    if (next) copy[key] = withHeader(next, header, seen);
  }
  return copy;
}

/** Routes a call through the dialplan and builds its plan. */
export async function planCall(ctx: PlannerContext, call: { from: string; context: string; dialled: string; diversions: number }): Promise<Planned> {
  const decision = route(ctx.dialplan, call, ctx.now);
  if (decision.kind === "reject") return { kind: "reject", status: decision.status, reason: decision.reason, decision };
  const planner = new Planner(ctx, call.diversions);
  const root = await planner.targets(decision.targets, decision.dialled);
  if (!root) return { kind: "reject", status: 480, reason: "Temporarily Unavailable", decision };
  return { kind: "plan", plan: planFrom(root), decision };
}

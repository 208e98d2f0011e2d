/**
 * An initial INVITE or MESSAGE (outside a dialog): who is calling (a trunk known
 * by its address, or a user who proves it with digest, RFC 3261 §22.3: 407), what
 * they dialled, the dialplan's decision and the call plan, then the proxy — with
 * the call recorded whatever happens.
 */
import { createResponse, isSipUri, parseUri, unescapeUriPart } from "../../sip/message/index.js";
import type { Source } from "../../sip/transport/index.js";
import { realmOf, type DigestAuthenticator } from "../auth/digest-authenticator.js";
import type { CallRecorder } from "../cdr/call-recorder.js";
import type { IncomingRequest, Stage } from "../pipeline/incoming-request.js";
import { diversionCount, planCall, type Planned, type PlannerContext } from "./call-planner.js";
import type { StatefulProxy } from "./stateful-proxy.js";

export interface InitialRequestDeps {
  readonly proxy: StatefulProxy;
  readonly authenticator: DigestAuthenticator;
  readonly recorder: CallRecorder;
  /** The plan, directory and settings in force now; a call keeps the ones it started with. */
  readonly planner: () => Omit<PlannerContext, "now">;
  /** The trunk a request came from, known by its source address. */
  readonly trunkOf: (source: Source) => { readonly name: string; readonly context: string } | undefined;
  /** The digest realm of this proxy. */
  readonly realm: () => string;
  readonly clock?: () => number;
}

export function initialRequestHandler(deps: InitialRequestDeps): Stage {
  return async (incoming: IncomingRequest): Promise<"handled"> => {
    const { request, source } = incoming;
    const startedAt = (deps.clock ?? Date.now)();
    const fromUri = fromUser(incoming);
    const target = request.requestUri;
    const dialled = isSipUri(target) && target.user !== undefined ? unescapeUriPart(target.user) : target.scheme === "tel" && "number" in target ? target.number : undefined;
    if (dialled === undefined) {
      incoming.respond(createResponse(request, 404, "No number to route"));
      return "handled";
    }
    const transaction = incoming.transaction;
    if (!transaction) throw new Error("an initial request reaches the proxy only with its server transaction");
    const planner = { ...deps.planner(), now: startedAt };
    const diversions = diversionCount(request.headers.values("Diversion"));
    const plan = (from: string, context: string) => planCall(planner, { from, context, dialled, diversions });

    let planned: Planned;
    let caller: string;
    let context: string;
    const trunk = deps.trunkOf(source);
    if (trunk) {
      caller = fromUri ?? "";
      context = trunk.context;
      planned = await plan(caller, context);
    } else {
      // A request with credentials is planned while they are checked: the plan only
      // reads (the dialplan, the callee's bindings), so the two store round trips run
      // side by side; if the check fails the plan is dropped unused.
      const claimedContext = fromUri === undefined ? undefined : planner.contextOf(fromUri);
      const early = claimedContext !== undefined && request.headers.has("Proxy-Authorization") ? plan(fromUri!, claimedContext) : undefined;
      early?.catch(() => undefined);
      const user = await deps.authenticator.authenticate(incoming);
      if (!user) return "handled";
      // A user calls as itself: the From is not a caller ID it may choose (toll fraud, spoofing).
      if (fromUri !== user.extension) {
        incoming.respond(createResponse(request, 403, "From does not match the authenticated user"));
        return "handled";
      }
      caller = user.extension;
      context = user.class;
      // RFC 3261 §22.3: the credentials for this proxy's realm are consumed here; they
      // must not travel on to the callee (who could replay them).
      stripOwnCredentials(incoming, deps.realm());
      planned = early && claimedContext === context ? await early : await plan(caller, context);
    }
    const route = planned.decision?.trace.at(-1)?.text;
    const facts = { caller, dialled, startedAt, ...(route !== undefined && { route }) };
    incoming.log.info({ caller, dialled, context, decision: planned.kind === "plan" ? "route" : `${planned.status} ${planned.reason}` }, "call");
    if (planned.kind === "reject") {
      const response = createResponse(request, planned.status, planned.reason);
      incoming.respond(response);
      if (request.method === "INVITE") await deps.recorder.failed(request, response, facts, false, incoming.log);
      return "handled";
    }
    const isInvite = request.method === "INVITE";
    deps.proxy.forward(incoming, transaction, planned.plan, {
      onAnswered: (response, branch) => {
        if (isInvite) void deps.recorder.answered(request, response, facts, branch.label, incoming.log);
      },
      onFailed: (response, cancelled) => {
        if (isInvite) void deps.recorder.failed(request, response, facts, cancelled, incoming.log);
      },
    });
    return "handled";
  };
}

function stripOwnCredentials(incoming: IncomingRequest, realm: string): void {
  const headers = incoming.request.headers;
  const others = headers.values("Proxy-Authorization").filter((v) => realmOf(v) !== realm);
  headers.remove("Proxy-Authorization");
  for (const value of others) headers.append("Proxy-Authorization", value);
}

/** The user part of the From URI: the caller's extension or number. */
function fromUser(incoming: IncomingRequest): string | undefined {
  const uri = parseUri(incoming.request.from.uri);
  return isSipUri(uri) && uri.user !== undefined ? unescapeUriPart(uri.user) : undefined;
}

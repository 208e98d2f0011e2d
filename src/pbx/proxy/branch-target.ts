import type { Endpoint } from "../../sip/transport/index.js";

/** One place a forwarded request goes (RFC 3261 §16.5: a target, and how to reach it). */
export interface BranchTarget {
  /** The Request-URI of the forwarded copy: a registered contact, a trunk's URI. */
  readonly uri: string;
  /** Where to send it, when known better than the Route/Request-URI says: a phone's flow (its REGISTER's source). */
  readonly destination?: Endpoint;
  /** RFC 3327: the binding's Path, sent as a pre-loaded Route set. */
  readonly route?: readonly string[];
  /** Extra headers for this branch (e.g. RFC 5806 Diversion on a forwarded call). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** What it is, for logs and call records: "2002 at sip:2002@192.0.2.5:5060". */
  readonly label: string;
}

/** One step of a call: targets rung together, for a time (serial forking: hunt groups, forward on no answer). */
export interface ForkStep {
  readonly targets: readonly BranchTarget[];
  readonly ringMs?: number;
  readonly label: string;
}

/** How a step ended without an answer. */
export type StepOutcome = "busy" | "no-answer" | "failed";

/** The steps of a call: the first, and what follows a step that was not answered. */
export interface CallPlan {
  readonly first: ForkStep;
  next(outcome: StepOutcome, status: number): ForkStep | undefined;
}

export function singleStep(step: ForkStep): CallPlan {
  return { first: step, next: () => undefined };
}

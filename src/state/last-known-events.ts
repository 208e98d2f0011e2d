/** What a node on Redis tells of its last known state, to say it loudly (logs, metrics). */

/** The operations that have an answer of this node's own while the shared store is away. */
export type FallbackOperation =
  | "bindings"
  | "credentials"
  | "failures"
  | "blocks"
  | "dialogs"
  | "call records";

/** What the node is told, to say it loudly (logs, metrics). */
export type LastKnownEvent =
  /** An operation was answered from this node's memory; `first` for the first of an outage. */
  | { readonly kind: "fallback"; readonly operation: FallbackOperation; readonly first: boolean; readonly reason: string }
  /** The shared store is back and has been given what was kept for it. */
  | { readonly kind: "reconciled"; readonly dialogs: number; readonly records: number }
  /** The shared store went away again while being given it; tried again when it is back. */
  | { readonly kind: "reconcile-interrupted"; readonly error: unknown; readonly records: number }
  /** Every AOR's bindings were read from the shared store: `aors` of them have some. */
  | { readonly kind: "refreshed"; readonly aors: number }
  /** Reading every AOR's bindings failed other than by Redis going away. */
  | { readonly kind: "refresh-failed"; readonly error: unknown }
  /** Closed with entries never written to the shared store. */
  | { readonly kind: "abandoned"; readonly dialogs: number; readonly records: number }
  /**
   * Lost: a call record when the queue was full (the oldest goes), or an entry the
   * shared store refused (not for being away) when it was written back.
   */
  | { readonly kind: "dropped"; readonly what: WrittenBack; readonly id: string; readonly reason: string };

/** What an outage leaves to be written to the shared store. */
export type WrittenBack = "dialog" | "call record" | "nonce count" | "block";

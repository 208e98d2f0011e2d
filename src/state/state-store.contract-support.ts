/**
 * What the parts of the StateStore contract share: the fixtures, and the context each
 * part gets (two nodes' stores on one fresh shared state, and a clock it moves).
 */
import type { Binding } from "./binding.js";
import type { CallRecord, CallRecordRetention } from "./call-record.js";
import { DIALOG_SAFETY_TTL_MS, type DialogRecord } from "./dialog-record.js";
import { StateError } from "./state-error.js";
import type { StateHealthState, StateStore } from "./state-store.js";
import { expect } from "vitest";

export interface ClusterOptions {
  readonly callRecordRetention?: CallRecordRetention;
}

export type OpenCluster = (clock: () => number, options: ClusterOptions) => Promise<{ a: StateStore; b: StateStore }>;

export interface ContractContext {
  readonly backend: string;
  /** Two nodes' stores on one fresh shared state, the clock set back to T0. */
  cluster(options?: ClusterOptions): Promise<{ a: StateStore; b: StateStore }>;
  /** The time both stores read; a test moves it. */
  readonly time: { now: number };
}

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const AOR = "sip:2001@pbx.example.org";

export function binding(n: number, overrides: Partial<Binding> = {}): Binding {
  return {
    key: `uri sip:2001@10.0.0.${n}:5060`,
    aor: AOR,
    contact: `<sip:2001@10.0.0.${n}:5060;transport=udp>`,
    expiresAt: T0 + 3_600_000,
    callId: `call-${n}@10.0.0.${n}`,
    cseq: 1,
    path: [],
    source: { transport: "udp", address: `10.0.0.${n}`, port: 5060 },
    node: "node-a",
    registeredAt: T0,
    ...overrides,
  };
}

/** A call from 2001 to 2002, answered at T0, set up by node-a; `n` varies the Call-ID and tags. */
export function dialog(n: number, overrides: Partial<DialogRecord> = {}): DialogRecord {
  const callId = `a84b4c76e66710-${n}@10.0.0.1`;
  const fromTag = `1928301774-${n}`;
  return {
    id: `${callId};${fromTag}`,
    callId,
    fromTag,
    toTag: `a6c85cf-${n}`,
    caller: "2001",
    dialled: "2002",
    target: "user 2002",
    route: "internal-extensions",
    startedAt: T0 - 5_000,
    answeredAt: T0,
    node: "node-a",
    expiresAt: T0 + DIALOG_SAFETY_TTL_MS,
    ...overrides,
  };
}

/** An answered call's record, ended at T0 + `endedAfterS` seconds. */
export function record(n: number, endedAfterS: number, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id: `cdr-${String(n).padStart(3, "0")}`,
    callId: `call-${n}@10.0.0.1`,
    caller: "2001",
    dialled: "9 01785 123456",
    target: "trunk carrier-a",
    route: "lcr uk-landline",
    startedAt: T0 - 10_000,
    answeredAt: T0 - 5_000,
    endedAt: T0 + endedAfterS * 1000,
    disposition: "answered",
    node: "node-a",
    durationMs: endedAfterS * 1000 + 5_000,
    ...overrides,
  };
}

/** Adds or replaces one binding by key: the shape of a registrar's update. */
export function upsert(b: Binding) {
  return (current: readonly Binding[]): Binding[] => [...current.filter((c) => c.key !== b.key), b];
}

export async function errorOf(promise: Promise<unknown>): Promise<StateError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateError);
  return err as StateError;
}

/** Resolves when the store's health is `state` (at once if it is). */
export function untilHealth(store: StateStore, state: StateHealthState): Promise<void> {
  if (store.health().state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = store.onHealthChange((h) => {
      if (h.state !== state) return;
      off();
      resolve();
    });
  });
}

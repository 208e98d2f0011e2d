import type { StateHealth, StateHealthState } from "./state-store.js";

/** Holds a store's health and tells listeners when its state changes. */
export class HealthTracker {
  private current: StateHealth;
  private readonly listeners = new Set<(health: StateHealth) => void>();

  constructor(
    backend: StateHealth["backend"],
    state: StateHealthState,
    private readonly clock: () => number,
    target?: string,
  ) {
    this.current = { backend, state, since: clock(), ...(target !== undefined && { target }) };
  }

  get health(): StateHealth {
    return this.current;
  }

  /** Moves to `state`; listeners hear of a change of state, not of every repeated error. */
  set(state: StateHealthState, lastError?: string): void {
    const changed = state !== this.current.state;
    const { lastError: previousError, ...rest } = this.current;
    // A "close" after an "error" keeps the error that explains it.
    const error = state === "ready" ? undefined : (lastError ?? previousError);
    this.current = {
      ...rest,
      state,
      since: changed ? this.clock() : this.current.since,
      ...(error !== undefined && { lastError: error }),
    };
    if (!changed) return;
    for (const listener of this.listeners) listener(this.current);
  }

  /** Listeners run synchronously and must not throw. */
  onChange(listener: (health: StateHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

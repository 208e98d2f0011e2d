/**
 * Brute-force protection for digest authentication: failures are counted per
 * user and per source address in the shared store (so both nodes see them), in
 * fixed windows, and a key past its limit is blocked for a while. A success does
 * not wipe the count (that would let a guesser who also knows one password reset
 * it): failures age out with their window. A blocked source or user gets 403
 * without a challenge, so a guessing loop costs the attacker a round trip and us
 * no hashing.
 */
import type { StateStore } from "../../state/index.js";

export interface ThrottlePolicy {
  readonly windowSeconds: number;
  readonly perUser: number;
  readonly perSource: number;
  readonly blockSeconds: number;
}

export type ThrottleKey = `source:${string}` | `user:${string}`;

export const sourceKey = (address: string): ThrottleKey => `source:${address}`;
export const userKey = (username: string): ThrottleKey => `user:${username}`;

export class AuthThrottle {
  constructor(
    private readonly store: StateStore,
    private readonly policy: ThrottlePolicy,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The first of the keys that is blocked now, or undefined. */
  async blocked(keys: readonly ThrottleKey[]): Promise<ThrottleKey | undefined> {
    const until = await Promise.all(keys.map((k) => this.store.blockedUntil(k)));
    return keys.find((_k, i) => until[i] !== undefined);
  }

  /** Counts a failure against each key; returns the keys this failure blocked. */
  async failed(keys: readonly ThrottleKey[]): Promise<ThrottleKey[]> {
    const windowMs = this.policy.windowSeconds * 1000;
    const counts = await Promise.all(keys.map((k) => this.store.recordFailure(k, windowMs)));
    const blocked = keys.filter((k, i) => counts[i]! >= (k.startsWith("user:") ? this.policy.perUser : this.policy.perSource));
    const until = this.clock() + this.policy.blockSeconds * 1000;
    await Promise.all(blocked.map((k) => this.store.block(k, until)));
    return blocked;
  }
}

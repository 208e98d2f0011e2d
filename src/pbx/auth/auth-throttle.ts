/**
 * Brute-force protection for digest authentication: failures are counted per
 * user and per source address in the shared store (so both nodes see them), in
 * fixed windows, and a key past its limit is blocked for a while. A success does
 * not wipe the count (that would let a guesser who also knows one password reset
 * it): failures age out with their window. A blocked source or user gets 403 and
 * never a verdict on its guess.
 *
 * Where a block is looked up, to spend as few store commands as possible:
 *
 * - A request WITH credentials always asks the shared store (`checkCredentials`),
 *   in the same single command that uses its nonce count (a REGISTER's right answer:
 *   in its binding update's command, `verdict`). The store is authoritative and
 *   shared by both nodes, so no guess is ever verified while its user or source is
 *   blocked, whichever node made the block.
 * - A request WITHOUT credentials asks only this node's memory of the blocks it
 *   knows of (`knownBlocked`, no store command): those it made (`failed`) and those
 *   the store reported to a credentials check. A source blocked by the other node
 *   is then challenged once (401/407) instead of refused; its next attempt carries
 *   credentials, so the store refuses it (403) and this node learns the block, and
 *   refuses the source's credential-less requests without a challenge from then on.
 *   A challenge verifies nothing, so this costs one nonce and no security; in
 *   exchange a registration pays no store command for its first REGISTER.
 *
 * The memory holds at most `knownLimit` blocks (the oldest learnt go first); an
 * entry whose block is over goes when its key is next looked up. A credentials check that finds a key unblocked (an
 * admin's `unblock`) makes this node forget it; until then, the node can go on
 * refusing that key's credential-less requests until the end it knew.
 */
import type { CredentialsCheck, NonceCountUse, StateStore } from "../../state/index.js";

export interface ThrottlePolicy {
  readonly windowSeconds: number;
  readonly perUser: number;
  readonly perSource: number;
  readonly blockSeconds: number;
}

export type ThrottleKey = `source:${string}` | `user:${string}`;

export const sourceKey = (address: string): ThrottleKey => `source:${address}`;
export const userKey = (username: string): ThrottleKey => `user:${username}`;

/** How many blocks a node remembers by default (a key and a number each: about 1 MB in all). */
const KNOWN_BLOCKS_LIMIT = 10_000;

/** What a credentials check found: the first blocked key, and whether the nonce count was new. */
export interface CredentialsVerdict {
  readonly blocked: ThrottleKey | undefined;
  /** As `StateStore.checkCredentials`: undefined when no nonce count was asked about. */
  readonly fresh: boolean | undefined;
}

export class AuthThrottle {
  /** The blocks this node knows of: key → end (epoch ms), oldest learnt first. */
  private readonly known = new Map<ThrottleKey, number>();

  constructor(
    private readonly store: StateStore,
    private readonly policy: ThrottlePolicy,
    private readonly clock: () => number = Date.now,
    private readonly knownLimit = KNOWN_BLOCKS_LIMIT,
  ) {}

  /**
   * The first of the keys this node knows to be blocked now, or undefined: from its
   * own memory, with no store command (for a request without credentials).
   */
  knownBlocked(keys: readonly ThrottleKey[]): ThrottleKey | undefined {
    const now = this.clock();
    return keys.find((key) => {
      const until = this.known.get(key);
      if (until === undefined) return false;
      if (now < until) return true; // a block ending at T is over at T, as in the store
      this.known.delete(key);
      return false;
    });
  }

  /**
   * For a request with credentials, one store command: is any of the keys blocked
   * (the store's answer, learnt here), and, when `nonceCount` is given, is it new
   * (used even when a key is blocked: `StateStore.checkCredentials` says why).
   */
  async checkCredentials(keys: readonly ThrottleKey[], nonceCount?: NonceCountUse): Promise<CredentialsVerdict> {
    return this.verdict(keys, await this.store.checkCredentials(keys, nonceCount));
  }

  /**
   * The verdict of the store's check of `keys` (made alone, or with a REGISTER's binding
   * update), its blocks learnt.
   */
  verdict(keys: readonly ThrottleKey[], { blockedUntil, fresh }: CredentialsCheck): CredentialsVerdict {
    // Loops, not forEach and find: this runs for every request with credentials.
    let blocked: ThrottleKey | undefined;
    for (let i = 0; i < keys.length; i++) {
      this.learn(keys[i]!, blockedUntil[i]);
      if (blocked === undefined && blockedUntil[i] !== undefined) blocked = keys[i];
    }
    return { blocked, fresh };
  }

  /** Counts a failure against each key; returns the keys this failure blocked. */
  async failed(keys: readonly ThrottleKey[]): Promise<ThrottleKey[]> {
    const windowMs = this.policy.windowSeconds * 1000;
    const counts = await Promise.all(keys.map((k) => this.store.recordFailure(k, windowMs)));
    const blocked = keys.filter((k, i) => counts[i]! >= (k.startsWith("user:") ? this.policy.perUser : this.policy.perSource));
    const until = this.clock() + this.policy.blockSeconds * 1000;
    await Promise.all(blocked.map((k) => this.store.block(k, until)));
    for (const key of blocked) this.learn(key, until);
    return blocked;
  }

  /** Remembers `key`'s block until `until`, or forgets it (undefined: not blocked). */
  private learn(key: ThrottleKey, until: number | undefined): void {
    this.known.delete(key);
    if (until === undefined || until <= this.clock()) return;
    if (this.known.size >= this.knownLimit) this.known.delete(this.known.keys().next().value!);
    this.known.set(key, until);
  }
}

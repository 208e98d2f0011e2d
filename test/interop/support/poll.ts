/**
 * Waiting for an effect that gives no signal of its own (a binding appearing in
 * the state store once a real phone has registered): check, and check again a
 * little later, until the check passes or the deadline does. Bounded, and it ends
 * as soon as the effect is there; the short pause is between checks, not a guess
 * at how long the effect takes.
 */
import { setTimeout as delay } from "node:timers/promises";

const INTERVAL_MS = 25;

export async function pollUntil<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(INTERVAL_MS);
  }
}

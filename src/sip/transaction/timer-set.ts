/**
 * The running timers of one transaction, by name, so that its `transition()` can
 * start and clear them. Plain setTimeout/clearTimeout, so tests drive them with
 * `vi.useFakeTimers()`.
 */
export class TimerSet<Name extends string> {
  private readonly running = new Map<Name, ReturnType<typeof setTimeout>>();

  /**
   * Arms `name`, replacing it if it runs. A zero duration fires at once: RFC 3261 sets
   * Timers D, I, J and K to 0 s on reliable transports, meaning "go straight on".
   */
  start(name: Name, ms: number, fire: () => void): void {
    this.clear(name);
    if (ms === 0) {
      fire();
      return;
    }
    const handle = setTimeout(() => {
      this.running.delete(name);
      fire();
    }, ms);
    // A transaction's timers never keep the process alive on their own: a stopped
    // node exits at once rather than waiting out Timer J's 32 s.
    handle.unref();
    this.running.set(name, handle);
  }

  clear(name: Name): void {
    const handle = this.running.get(name);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.running.delete(name);
  }

  clearAll(): void {
    for (const handle of this.running.values()) clearTimeout(handle);
    this.running.clear();
  }
}

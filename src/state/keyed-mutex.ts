/**
 * Runs async tasks one at a time per key, in call order. The Redis store queues a
 * node's own updates of one AOR here, so its optimistic compare-and-set only ever races
 * the other node, not this node's other requests (a phone registering four lines at
 * once would otherwise make four writers retry against each other).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last task of a key removes the key, so the map holds only busy AORs.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

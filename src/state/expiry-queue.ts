/**
 * When each key of a memory map next needs looking at, as a binary min-heap: the
 * memory store reclaims expired state by popping what is due on each call (a lazy
 * sweep), so it needs no timer to keep the process alive and never scans all state.
 *
 * Each key has at most one schedule that counts (`scheduled`). A later time never
 * replaces an earlier one: the owner re-checks a key when it falls due and schedules it
 * again if it is still alive, so extending a key (a nonce used again) costs no heap
 * entry. An earlier time pushes a new entry and leaves the old one to be dropped,
 * unseen, when it surfaces. So the heap stays about the size of the live keys.
 */
export class ExpiryQueue<K> {
  private readonly heap: { at: number; key: K }[] = [];
  private readonly scheduled = new Map<K, number>();

  get size(): number {
    return this.scheduled.size;
  }

  /** Look at `key` again no later than `at`. */
  schedule(key: K, at: number): void {
    const current = this.scheduled.get(key);
    if (current !== undefined && current <= at) return;
    this.scheduled.set(key, at);
    this.heap.push({ at, key });
    this.siftUp(this.heap.length - 1);
  }

  unschedule(key: K): void {
    this.scheduled.delete(key);
  }

  /** Removes and returns up to `limit` keys whose schedule is at or before `now`. */
  popDue(now: number, limit = Infinity): K[] {
    const due: K[] = [];
    while (due.length < limit && this.heap.length > 0 && this.heap[0]!.at <= now) {
      const { at, key } = this.pop();
      if (this.scheduled.get(key) !== at) continue; // superseded or unscheduled
      this.scheduled.delete(key);
      due.push(key);
    }
    return due;
  }

  private pop(): { at: number; key: K } {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= heap[i]!.at) return;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && heap[left]!.at < heap[least]!.at) least = left;
      if (right < heap.length && heap[right]!.at < heap[least]!.at) least = right;
      if (least === i) return;
      [heap[least], heap[i]] = [heap[i]!, heap[least]!];
      i = least;
    }
  }
}

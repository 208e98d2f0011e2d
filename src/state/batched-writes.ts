import type { Redis } from "ioredis";

/**
 * Commands issued in one turn of the event loop go to Redis in one write. Under a
 * registration avalanche each turn reads dozens of REGISTERs and Redis replies, and
 * a write per command would be a system call per command.
 *
 * ioredis's auto-pipelining batches the same way, but it builds a Pipeline (a
 * Commander with its own promise, queues and a second Command per command) for every
 * batch: at thousands of commands a second that was most of the client's CPU and a
 * sixth of the node's garbage-collection time (bench/README.md, session 4). Here the
 * socket is corked at the first command of a turn and uncorked from setImmediate,
 * the point at which auto-pipelining sends its batch: after the turn's I/O callbacks
 * and the promise continuations they ran.
 */
export class BatchedWrites {
  private corked = false;

  constructor(private readonly redis: Redis) {}

  /** Holds this turn's writes back until the turn ends; nothing to do before the connection is ready (ioredis queues offline commands). */
  hold(): void {
    if (this.corked || this.redis.status !== "ready") return;
    const stream = this.redis.stream;
    this.corked = true;
    stream.cork();
    setImmediate(() => {
      this.corked = false;
      stream.uncork();
    });
  }
}

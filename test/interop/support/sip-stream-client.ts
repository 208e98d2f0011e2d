/**
 * A raw TCP peer: writes whatever bytes a test hands it (the RFC 4475 messages,
 * unchanged) and reads back SIP responses framed by Content-Length (RFC 3261
 * §18.3), or notices that the node closed the connection.
 */
import { connect, type Socket } from "node:net";
import { parseSipHead, headerValue, type SipHead } from "./sip-text.js";
import { withTimeout } from "./wait.js";

export interface StreamResponse extends SipHead {
  readonly text: string;
}

const HEAD_END = Buffer.from("\r\n\r\n");

export class SipStreamClient {
  private buffer = Buffer.alloc(0);
  private readonly responses: StreamResponse[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.frame();
      this.waiter?.();
    });
    // A reset is a close too; the error itself is not what these tests look at.
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.ended = true;
        this.waiter?.();
        resolve();
      }),
    );
  }

  static async connect(address: string, port: number, timeoutMs = 5_000): Promise<SipStreamClient> {
    const socket = connect({ host: address, port });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
      }),
      timeoutMs,
      `a TCP connection to ${address} port ${port}`,
    );
    return new SipStreamClient(socket);
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next response on the connection; rejects if the node closes it first. */
  async nextResponse(timeoutMs: number): Promise<StreamResponse> {
    let check: (() => void) | undefined;
    try {
      return await withTimeout(
        new Promise<StreamResponse>((resolve, reject) => {
          check = () => {
            const response = this.responses.shift();
            if (response) resolve(response);
            else if (this.ended) reject(new Error("the node closed the connection instead of answering"));
          };
          this.waiter = check;
          check();
        }),
        timeoutMs,
        "a response on the TCP connection",
      );
    } finally {
      // A waiter left behind after a timeout would take the next response off the queue.
      if (this.waiter === check) this.waiter = undefined;
    }
  }

  /** The next final (non-1xx) response: an INVITE server transaction sends 100 Trying first. */
  async nextFinalResponse(timeoutMs: number): Promise<StreamResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await this.nextResponse(Math.max(deadline - Date.now(), 1));
      if ((response.status ?? 0) >= 200) return response;
    }
  }

  /** Resolves when the node closes the connection. */
  whenClosed(timeoutMs: number): Promise<void> {
    return withTimeout(this.closed, timeoutMs, "the node to close the TCP connection");
  }

  get isClosed(): boolean {
    return this.ended;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Cuts complete messages off the buffer; a head without Content-Length has no body. */
  private frame(): void {
    for (;;) {
      const end = this.buffer.indexOf(HEAD_END);
      if (end === -1) return;
      const head = parseSipHead(this.buffer.toString("latin1", 0, end));
      const length = Number(headerValue(head, "Content-Length") ?? 0);
      const total = end + HEAD_END.length + length;
      if (this.buffer.length < total) return;
      this.responses.push({ ...head, text: this.buffer.toString("latin1", 0, total) });
      this.buffer = this.buffer.subarray(total);
    }
  }
}

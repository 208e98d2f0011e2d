import type { Socket } from "node:dgram";

/** Told how a datagram's send went: null when it left, else the socket's error. */
export type DatagramSent = (error: Error | null) => void;

interface Pending {
  readonly socket: Socket;
  readonly data: Buffer;
  readonly port: number;
  readonly address: string;
  readonly sent: DatagramSent;
}

/**
 * The datagrams of one turn of the event loop, sent together when the turn ends
 * (setImmediate: after the turn's I/O callbacks and the promise continuations they
 * ran), in the order they were given.
 *
 * Sent one at a time, most datagrams would find their receiver asleep, and a send that
 * wakes a process on the other CPU is mostly the cost of the wake-up (on a virtual
 * machine, an inter-processor interrupt and an exit to the hypervisor). Sent together,
 * the first wakes the receiver and the rest arrive while it reads. Under a
 * registration avalanche this cut the node's CPU in sendmsg from 33–39 µs to 13–15 µs
 * a registration (bench/README.md, session 4). A response waits for the rest of its
 * turn at most: when the node is idle, that is the request that asked for it.
 */
export class DatagramOutbox {
  private pending: Pending[] = [];

  send(socket: Socket, data: Buffer, port: number, address: string, sent: DatagramSent): void {
    this.pending.push({ socket, data, port, address, sent });
    if (this.pending.length === 1) setImmediate(this.flush);
  }

  /**
   * Hands what waits to the sockets now, as the transport closes. (A datagram to a
   * host name, still being looked up, is dropped with its socket: dgram's way.)
   */
  readonly flush = (): void => {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    for (const { socket, data, port, address, sent } of batch) {
      try {
        socket.send(data, port, address, sent);
      } catch (err) {
        // A socket closed since (dgram throws ERR_SOCKET_DGRAM_NOT_RUNNING).
        sent(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
}

/**
 * SIP over UDP (RFC 3261 §18): one datagram socket per configured address. Requests
 * and responses leave from a listening socket, so that the peer's replies (and its
 * NAT binding, RFC 3581) come back to the port written in Via.
 */
import { createSocket, type Socket, type SocketOptions } from "node:dgram";
import { lookup } from "node:dns";
import { isIP } from "node:net";
import { DatagramOutbox } from "./datagram-outbox.js";
import type { LocalEndpoint, Source } from "./endpoint.js";
import { family, peerAddress, sameAddress } from "./ip-address.js";
import { isKeepAlive } from "./keep-alive.js";
import { systemCode, TransportError } from "./transport-error.js";
import type { ListenOptions } from "./transport-options.js";

const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * dgram passes every destination through dns.lookup, which answers even an IP
 * literal on the next tick, so each datagram would wait a turn of the event loop
 * and cost a deferred callback. Nearly every destination a SIP node sends to is a
 * literal (a Via's received, a binding's source); those are answered at once, and
 * names (a Via sent-by without received) still go to the resolver.
 */
const lookupLiteralsAtOnce: SocketOptions["lookup"] = (hostname, options, callback) => {
  const literal = isIP(hostname);
  if (literal !== 0) callback(null, hostname, literal);
  else lookup(hostname, options, callback);
};

export type DatagramHandler = (data: Buffer, source: Source) => void;

interface Bound {
  readonly socket: Socket;
  readonly local: LocalEndpoint;
}

export class UdpTransport {
  private readonly bound: Bound[] = [];
  private readonly outbox = new DatagramOutbox();

  constructor(
    private readonly options: ListenOptions,
    private readonly onDatagram: DatagramHandler,
  ) {}

  get listening(): readonly LocalEndpoint[] {
    return this.bound.map((b) => b.local);
  }

  async listen(): Promise<void> {
    for (const address of this.options.addresses) this.bound.push(await this.bind(address));
  }

  /**
   * Sends one datagram from the socket bound at `from` when given (RFC 3581 §4: a
   * response MUST leave from the address and port its request arrived on), else from
   * the first socket of the destination's address family.
   */
  send(data: Buffer, address: string, port: number, from: LocalEndpoint | undefined, done: (error: TransportError | undefined) => void): void {
    const wanted = family(address);
    const bound =
      (from && this.bound.find((b) => b.local.port === from.port && sameAddress(b.local.address, from.address))) ??
      this.bound.find((b) => family(b.local.address) === wanted);
    if (!bound) {
      process.nextTick(done, new TransportError("SIP_TRANSPORT_UNAVAILABLE", `No UDP socket for IPv${wanted} to send to ${address}`));
      return;
    }
    this.outbox.send(bound.socket, data, port, address, (err) =>
      done(err ? new TransportError("SIP_TRANSPORT_SEND_FAILED", `UDP send to ${address} port ${port} failed (${systemCode(err) ?? err.message})`, { cause: err }) : undefined),
    );
  }

  async close(): Promise<void> {
    this.outbox.flush();
    await Promise.all(this.bound.map((b) => new Promise<void>((resolve) => b.socket.close(() => resolve()))));
    this.bound.length = 0;
  }

  private bind(address: string): Promise<Bound> {
    // `::` stays IPv6-only so that `0.0.0.0` can be listed beside it on the same port.
    // A registration avalanche puts thousands of datagrams in flight: the kernel's
    // default receive buffer (about 200 KiB) overflows and drops them, which the
    // phones see as loss and retransmit. 4 MiB is asked for; the kernel caps it at
    // net.core.rmem_max (raise that sysctl on a busy node).
    const buffers = { recvBufferSize: UDP_BUFFER_BYTES, sendBufferSize: UDP_BUFFER_BYTES, lookup: lookupLiteralsAtOnce };
    const socket = family(address) === 6 ? createSocket({ type: "udp6", ipv6Only: true, ...buffers }) : createSocket({ type: "udp4", ...buffers });
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        socket.close();
        reject(
          new TransportError(
            "SIP_TRANSPORT_LISTEN_FAILED",
            `Cannot listen for UDP on ${address} port ${this.options.port} (${systemCode(err) ?? err.message}): ` +
              "free the port or change the udp port or addresses in the transport configuration",
            { cause: err },
          ),
        );
      };
      socket.once("error", failed);
      socket.bind({ address, port: this.options.port }, () => {
        // Once bound, a failed send is reported to its own callback.
        socket.off("error", failed);
        socket.on("error", () => {});
        const local: LocalEndpoint = { transport: "UDP", address, port: socket.address().port };
        socket.on("message", (data, rinfo) => {
          // A CRLF keep-alive some phones send over UDP to hold their NAT binding open:
          // there is nothing to parse and nothing owed in return.
          if (isKeepAlive(data)) return;
          this.onDatagram(data, {
            transport: "UDP",
            address: peerAddress(rinfo.address),
            port: rinfo.port,
            localAddress: local.address,
            localPort: local.port,
          });
        });
        resolve({ socket, local });
      });
    });
  }
}

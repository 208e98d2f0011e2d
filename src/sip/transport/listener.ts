/**
 * One listening server socket (TCP, TLS, HTTP for WebSocket) on one address. It
 * keeps the sockets it accepted so that `close()` ends them all, including those
 * still in a TLS or WebSocket handshake, which no connection object owns yet.
 */
import type { Server, Socket } from "node:net";
import type { LocalEndpoint, TransportName } from "./endpoint.js";
import { systemCode, TransportError } from "./transport-error.js";

export class Listener {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly local: LocalEndpoint,
  ) {
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    // Errors on a listening server are accept failures (EMFILE); it keeps listening.
    server.on("error", () => {});
  }

  static open(server: Server, transport: TransportName, address: string, port: number): Promise<Listener> {
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        const code = systemCode(err) ?? err.message;
        reject(
          new TransportError(
            "SIP_TRANSPORT_LISTEN_FAILED",
            `Cannot listen for ${transport} on ${address} port ${port} (${code}): free the port or change ` +
              `the ${transport.toLowerCase()} port or addresses in the transport configuration`,
            { cause: err },
          ),
        );
      };
      server.once("error", failed);
      // One listener per configured address: `::` stays IPv6-only so that `0.0.0.0`
      // can be listed beside it on the same port.
      server.listen({ host: address, port, ipv6Only: true }, () => {
        server.off("error", failed);
        const bound = server.address();
        const boundPort = typeof bound === "object" && bound !== null ? bound.port : port;
        resolve(new Listener(server, { transport, address, port: boundPort }));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

/** SIP over TCP (RFC 3261 §18): the stream transport with plain sockets. */
import { connect, createServer } from "node:net";
import type { ConnectionSettings } from "./connection.js";
import { StreamTransport } from "./stream-transport.js";
import type { ListenOptions } from "./transport-options.js";

export function createTcpTransport(options: ListenOptions, settings: ConnectionSettings): StreamTransport {
  return new StreamTransport(
    {
      name: "TCP",
      createServer: (onSocket) => createServer(onSocket),
      connect: (host, port) => connect({ host, port }),
      readyEvent: "connect",
    },
    options,
    settings,
  );
}

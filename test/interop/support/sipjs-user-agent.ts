/**
 * A SIP.js UserAgent, as a browser softphone runs it, connected over WebSocket to
 * a node. SIP.js opens its transport with the global `WebSocket`, which Node 20
 * lacks: the `ws` package's class stands in while the agent runs, and the global
 * is put back as it was when the agent stops.
 */
import { UserAgent, type Core } from "sip.js";
import WebSocket from "ws";
import { withTimeout } from "./wait.js";

type Global = { WebSocket?: unknown };

export interface TestUserAgent {
  readonly ua: UserAgent;
  /** Sends a request through the core and resolves with its final response. */
  request(message: Core.OutgoingRequestMessage, timeoutMs?: number): Promise<Core.IncomingResponse>;
  stop(): Promise<void>;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export async function startUserAgent(server: string, aor: string, timeoutMs = 5_000, credentials?: Credentials): Promise<TestUserAgent> {
  const global = globalThis as Global;
  const hadWebSocket = "WebSocket" in global;
  const previous = global.WebSocket;
  global.WebSocket = WebSocket;
  const restore = () => {
    if (hadWebSocket) global.WebSocket = previous;
    else delete global.WebSocket;
  };
  const uri = UserAgent.makeURI(aor);
  if (!uri) throw new Error(`not a SIP URI: ${aor}`);
  const ua = new UserAgent({
    uri,
    transportOptions: { server, connectionTimeout: Math.ceil(timeoutMs / 1000) },
    ...(credentials && { authorizationUsername: credentials.username, authorizationPassword: credentials.password }),
    // SIP.js logs every message at "log"; errors are enough next to vitest's output.
    logLevel: "error",
  });
  try {
    await withTimeout(ua.start(), timeoutMs, `SIP.js to connect to ${server}`);
  } catch (err) {
    restore();
    throw err;
  }
  return {
    ua,
    request(message, requestTimeoutMs = timeoutMs) {
      return withTimeout(
        new Promise((resolve) => {
          ua.userAgentCore.request(message, { onAccept: resolve, onReject: resolve, onRedirect: resolve });
        }),
        requestTimeoutMs,
        `a final response to ${message.method}`,
      );
    },
    async stop() {
      try {
        await withTimeout(ua.stop(), timeoutMs, "SIP.js to stop");
      } finally {
        restore();
      }
    },
  };
}

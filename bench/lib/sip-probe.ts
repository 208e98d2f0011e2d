/**
 * Readiness probes for the benchmark scripts: one SIP request over UDP every 200 ms
 * until a final response comes back, which the caller reads; exit 1 when nothing
 * answers within the timeout. Shared by the registration and call-rate benches.
 */
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";

export interface ProbeRequest {
  readonly method: "OPTIONS" | "REGISTER";
  readonly user: string;
  readonly domain: string;
  /** Header lines after Contact (e.g. "Expires: 3600"). */
  readonly extra: readonly string[];
}

/** Sends `request` to host:port until a final response, hands its text to `onFinal`, and exits. */
export function probe(host: string, port: number, request: ProbeRequest, timeoutSeconds: number, onFinal: (response: string) => void): void {
  const callId = `${randomBytes(8).toString("hex")}@probe`;
  const tag = randomBytes(4).toString("hex");
  const socket = createSocket("udp4");
  let cseq = 0;
  const { method, user, domain } = request;
  const send = (): void => {
    cseq++;
    const { port: localPort } = socket.address();
    const lines = [
      `${method} sip:${domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${randomBytes(6).toString("hex")}`,
      `From: <sip:${user}@${domain}>;tag=${tag}`,
      `To: <sip:${method === "REGISTER" ? `${user}@` : ""}${domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      "Max-Forwards: 70",
      `Contact: <sip:${user}@127.0.0.1:${localPort}>`,
      ...request.extra,
      "Content-Length: 0",
      "",
      "",
    ];
    socket.send(lines.join("\r\n"), port, host);
  };
  socket.on("message", (message) => {
    const text = message.toString("latin1");
    const status = /^SIP\/2\.0 (\d{3})/.exec(text);
    if (status === null || status[1]!.startsWith("1")) return;
    onFinal(text);
    socket.close();
    process.exit(0);
  });
  socket.bind(0, "127.0.0.1", () => {
    send();
    const timer = setInterval(send, 200);
    setTimeout(() => {
      clearInterval(timer);
      process.stderr.write(`no SIP answer from ${host}:${port} within ${timeoutSeconds} s\n`);
      process.exit(1);
    }, timeoutSeconds * 1000);
  });
}

export function statusOf(response: string): string {
  return /^SIP\/2\.0 (\d{3})/.exec(response)?.[1] ?? "";
}

/**
 * The test as sipp's 3PCC twin (`sipp -3pcc`), to hand sipp the one thing it
 * cannot make here: the Authorization for the node's challenge.
 *
 * sipp 3.6.1 computes MD5 digests only, and reads the first `algorithm=` of all
 * the WWW-Authenticate fields joined, so it gives up on the node's 401, which
 * lists SHA-256 first (RFC 8760 §2.4), with "createAuthHeader: authentication must
 * use MD5 or AKAv1-MD5" (see register-sipp.test.ts, which keeps that on record).
 * The registration scenarios therefore pass the challenge to their twin with
 * <sendCmd> and take the Authorization back with <recvCmd>: sipp still does all
 * of the SIP (sockets, retransmissions, Via, Call-ID, CSeq, Contact), and the test
 * computes the digest with its own code (digest-client.ts).
 *
 * A scenario whose first twin command is <sendCmd> connects to the address given
 * with -3pcc, so the twin listens first. A command is header-like lines ended by
 * an ESC octet (0x1b); sipp routes each one to its call by Call-ID.
 */
import { createServer, type Socket } from "node:net";

export interface TwinCommand {
  readonly callId: string;
  /** The command's lines as name/value pairs, in order. */
  readonly fields: ReadonlyArray<readonly [name: string, value: string]>;
  readonly text: string;
}

/** Every value of a command's field, by name, case-insensitively. */
export function commandValues(command: TwinCommand, name: string): string[] {
  return command.fields.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

/** The Authorization value to send for a command (the n-th, from 0, of the run). */
export type Authorize = (command: TwinCommand, index: number) => string | Promise<string>;

export interface SippTwin {
  /** The sipp arguments that make it talk to this twin. */
  readonly args: readonly string[];
  readonly commands: readonly TwinCommand[];
  /** Stops listening; rejects with the first error `authorize` threw, if any. */
  close(): Promise<void>;
}

const ESC = "\x1b";

function readCommand(text: string): TwinCommand {
  const fields: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const callId = fields.find(([n]) => n.toLowerCase() === "call-id")?.[1];
  if (callId === undefined) throw new Error(`a twin command without Call-ID: ${JSON.stringify(text)}`);
  return { callId, fields, text };
}

export async function startSippTwin(authorize: Authorize, address = "127.0.0.1"): Promise<SippTwin> {
  const commands: TwinCommand[] = [];
  const errors: unknown[] = [];
  const sockets = new Set<Socket>();

  const answer = async (socket: Socket, text: string): Promise<void> => {
    // sipp tells its twin of a call it aborts ("internal-cmd: abort_call"); the
    // run's exit code and message log say why, so there is nothing to answer.
    if (/^internal-cmd:/im.test(text)) return;
    const command = readCommand(text);
    const index = commands.push(command) - 1;
    const value = await authorize(command, index);
    // sipp drops the line ends before the ESC, and its <recvCmd> takes the value
    // with "Authorization: (.*)", so the Authorization goes last.
    socket.write(`Call-ID: ${command.callId}\r\nAuthorization: ${value}\r\n\r\n${ESC}`);
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // sipp's exit resets the connection
    let buffer = "";
    socket.setEncoding("latin1").on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf(ESC); end !== -1; end = buffer.indexOf(ESC)) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        answer(socket, text).catch((err: unknown) => {
          errors.push(err);
          // Fail the sipp run at once rather than at its timeout.
          socket.destroy();
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address, resolve);
  });
  const { port } = server.address() as { port: number };
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    args: ["-3pcc", `${host}:${port}`],
    commands,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (errors.length > 0) throw errors[0];
    },
  };
}

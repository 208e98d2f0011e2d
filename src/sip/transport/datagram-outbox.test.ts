import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { DatagramOutbox } from "./datagram-outbox.js";

const sockets: Socket[] = [];
async function bound(): Promise<Socket> {
  const socket = createSocket("udp4");
  sockets.push(socket);
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return socket;
}

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe("DatagramOutbox", () => {
  it("holds a turn's datagrams until the turn ends, then sends them in order", async () => {
    const [from, to] = [await bound(), await bound()];
    const got: string[] = [];
    to.on("message", (data) => got.push(data.toString()));
    const outbox = new DatagramOutbox();
    const results: (Error | null)[] = [];
    for (const text of ["one", "two", "three"]) outbox.send(from, Buffer.from(text), to.address().port, "127.0.0.1", (err) => results.push(err));
    await Promise.resolve();
    expect(results).toEqual([]); // nothing has left within the turn
    await new Promise((resolve) => setImmediate(resolve));
    while (got.length < 3) await once(to, "message");
    expect(got).toEqual(["one", "two", "three"]);
    expect(results).toEqual([null, null, null]);
  });

  it("reports a send on a socket closed before the turn ended, and flushes at once when asked", async () => {
    const [open, closing, to] = [await bound(), await bound(), await bound()];
    const outbox = new DatagramOutbox();
    const results: (Error | null)[] = [];
    outbox.send(closing, Buffer.from("late"), to.address().port, "127.0.0.1", (err) => results.push(err));
    outbox.send(open, Buffer.from("now"), to.address().port, "127.0.0.1", (err) => results.push(err));
    closing.close();
    sockets.splice(sockets.indexOf(closing), 1);
    const arrived = once(to, "message");
    outbox.flush();
    expect(results[0]).toBeInstanceOf(Error);
    expect(String((await arrived)[0])).toBe("now");
  });
});

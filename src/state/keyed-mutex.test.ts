import { describe, expect, it } from "vitest";
import { KeyedMutex } from "./keyed-mutex.js";

describe("KeyedMutex", () => {
  it("runs the tasks of one key one at a time in call order, and other keys alongside", async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string) => async (): Promise<string> => {
      log.push(`start ${name}`);
      await Promise.resolve();
      await Promise.resolve();
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([mutex.run("a", task("a1")), mutex.run("a", task("a2")), mutex.run("b", task("b1"))]);
    expect(results).toEqual(["a1", "a2", "b1"]);
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log.indexOf("start b1")).toBeLessThan(log.indexOf("end a1"));
  });

  it("goes on with the next task after one fails, and forgets idle keys", async () => {
    const mutex = new KeyedMutex();
    const failed = mutex.run("a", async () => {
      throw new Error("boom");
    });
    const next = mutex.run("a", async () => "ok");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ok");
    expect((mutex as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });
});

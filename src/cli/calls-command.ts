/**
 * `strowger calls --redis URL`: the live-calls view, from the dialogs the pair keeps
 * in Redis (a one-node install keeps them in its own memory: its metrics count them).
 */
import { createStateStore } from "../state/index.js";

function clock(at: number | undefined): string {
  return at === undefined ? "-" : new Date(at).toISOString().slice(11, 19);
}

export async function callsCommand(options: { redisUrl?: string }): Promise<number> {
  if (!options.redisUrl) {
    process.stderr.write("strowger: live calls are read from the pair's Redis: give --redis URL (or STROWGER_REDIS_URL); a one-node install counts them in strowger_live_calls at /metrics\n");
    return 2;
  }
  const store = createStateStore({ redisUrl: options.redisUrl });
  try {
    const dialogs = await store.listDialogs();
    const now = Date.now();
    process.stdout.write(`${dialogs.length} live call${dialogs.length === 1 ? "" : "s"}\n`);
    for (const d of dialogs) {
      const talking = d.answeredAt === undefined ? "ringing" : `${Math.round((now - d.answeredAt) / 1000)} s`;
      process.stdout.write(`${clock(d.startedAt)}  ${d.caller} → ${d.dialled}  ${d.target}  ${talking}  node ${d.node}  ${d.callId}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * A registration's store work on Redis alone, no SIP: new AORs, 200 in flight, each
 * either as two commands (the credentials check, then the binding update) or as the
 * one a REGISTER makes (`updateBindings` with credentials). Prints one JSON line a way,
 * with the CPU of Redis (its INFO) and of this client a registration, the median of
 * five rounds of 20,000 after one of warm-up. Starts its own redis-server on a free
 * loopback port. Run: npm run bench:store
 */
import { Redis } from "ioredis";
import { RedisStateStore, type Binding, type CredentialsUse } from "../src/state/index.js";
import { startRedisServer } from "../test/support/redis-server.js";

const REGISTRATIONS = 20_000;
const IN_FLIGHT = 200;
const ROUNDS = 5;

const binding = (n: number, now: number): Binding => ({
  key: `uri sip:${n}@192.0.2.1:5060`,
  aor: `sip:${n}@strowger.local`,
  contact: `sip:${n}@192.0.2.1:5060`,
  expiresAt: now + 3_600_000,
  callId: `call-${n}`,
  cseq: 2,
  path: [],
  source: { transport: "UDP", address: "192.0.2.1", port: 5060 },
  node: "bench",
  registeredAt: now,
});
const credentials = (n: number): CredentialsUse => ({ blockKeys: ["source:192.0.2.1", `user:${n}`], nonceCount: { nonce: `nonce-${n}`, nc: 1, ttlMs: 300_000 } });

const ways: Record<string, (store: RedisStateStore, n: number) => Promise<unknown>> = {
  "two commands": async (store, n) => {
    const use = credentials(n);
    await store.checkCredentials(use.blockKeys, use.nonceCount);
    await store.updateBindings(`sip:${n}@strowger.local`, (_current, now) => [binding(n, now)]);
  },
  "one command": (store, n) => store.updateBindings(`sip:${n}@strowger.local`, (_current, now) => [binding(n, now)], credentials(n)),
};

const redis = await startRedisServer();
const admin = new Redis(redis.url);
const redisCpuSeconds = async (): Promise<number> => {
  const info = await admin.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return field("used_cpu_sys") + field("used_cpu_user");
};
try {
  let next = 0;
  for (const [way, register] of Object.entries(ways)) {
    const store = new RedisStateStore({ url: redis.url, keyPrefix: `bench-${way.replace(/ /g, "-")}:` });
    const rounds: { redisUs: number; clientUs: number; wallUs: number }[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const end = next + REGISTRATIONS;
      const redisBefore = await redisCpuSeconds();
      const client = process.cpuUsage();
      const started = performance.now();
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => { while (next < end) await register(store, next++); }));
      const wallUs = ((performance.now() - started) * 1000) / REGISTRATIONS;
      const used = process.cpuUsage(client);
      const redisUs = ((await redisCpuSeconds()) - redisBefore) * 1e6 / REGISTRATIONS;
      if (round > 0) rounds.push({ redisUs, clientUs: (used.user + used.system) / REGISTRATIONS, wallUs });
    }
    await store.close();
    const median = (pick: (r: (typeof rounds)[number]) => number) => Number(rounds.map(pick).sort((a, b) => a - b)[ROUNDS >> 1]!.toFixed(1));
    console.log(JSON.stringify({ workload: "registration's store work", way, redisCpuUsPerRegistration: median((r) => r.redisUs), clientCpuUsPerRegistration: median((r) => r.clientUs), wallUsPerRegistration: median((r) => r.wallUs) }));
  }
} finally {
  admin.disconnect();
  await redis.stop();
}

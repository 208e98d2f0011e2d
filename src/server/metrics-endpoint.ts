/**
 * `GET /metrics` for Prometheus and `GET /health` (node-health.ts) for load balancers,
 * on their own small HTTP listener (the admin API comes later).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { HealthAnswer } from "./node-health.js";

export async function startMetricsEndpoint(registry: Registry, address: string, port: number, health: () => HealthAnswer): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/health") {
      const { httpStatus, body } = health();
      res.writeHead(httpStatus, { "Content-Type": "application/json" }).end(JSON.stringify(body) + "\n");
      return;
    }
    if (req.method !== "GET" || req.url !== "/metrics") {
      res.writeHead(404).end("Not found: try GET /metrics or GET /health\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "Content-Type": registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });
  return server;
}

export function metricsPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

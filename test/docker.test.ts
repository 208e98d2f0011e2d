/**
 * The docker/ files, checked by what runs here (no Docker engine on these machines):
 * the Dockerfile's COPY sources exist, compose.yaml is well formed and points at
 * the Dockerfile, and the image's build steps run to a working CLI in a clean copy.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(import.meta.dirname, "..");
const dockerfile = readFileSync(join(ROOT, "docker/Dockerfile"), "utf8");
const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));

describe("docker/", () => {
  it("copies only files that exist", () => {
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((s) => !existsSync(join(ROOT, s)))).toEqual([]);
  });

  it("has a compose file that builds this Dockerfile and publishes the SIP ports", () => {
    const compose = parse(readFileSync(join(ROOT, "docker/compose.yaml"), "utf8")) as {
      services: Record<string, { build: { dockerfile: string }; ports: string[] }>;
    };
    const service = compose.services.strowger!;
    expect(service.build.dockerfile).toBe("docker/Dockerfile");
    expect(service.ports).toContain("5060:5060/udp");
  });

  it("has a pair compose file: two nodes with their own names on one Redis", () => {
    const compose = parse(readFileSync(join(ROOT, "docker/compose-pair.yaml"), "utf8")) as {
      services: Record<string, { environment?: Record<string, string>; build?: { dockerfile: string } }>;
    };
    const nodes = Object.values(compose.services).filter((s) => s.build?.dockerfile === "docker/Dockerfile");
    expect(nodes).toHaveLength(2);
    expect(new Set(nodes.map((n) => n.environment?.STROWGER_NODE_NAME)).size).toBe(2);
    expect(new Set(nodes.map((n) => n.environment?.STROWGER_REDIS_URL)).size).toBe(1);
    expect(compose.services.redis).toBeDefined();
  });

  it("builds: the image's steps, run on the files it copies, give a CLI that checks the sample config", { timeout: 240_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "strowger-image-"));
    try {
      for (const s of sources) cpSync(join(ROOT, s), join(dir, s), { recursive: true });
      execFileSync("sh", ["docker/build-steps.sh"], { cwd: dir, stdio: "pipe" });
      expect(existsSync(join(dir, "node_modules/typescript"))).toBe(false);
      const out = execFileSync("node", ["dist/cli/main.js", "check", "--config", join(ROOT, "config")], { cwd: dir, encoding: "utf8" });
      expect(out).toContain("configuration is valid");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

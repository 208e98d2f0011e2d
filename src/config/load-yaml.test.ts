import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { validateYaml } from "./load-yaml.js";
import { NodeConfigSchema } from "./node-config-schema.js";

function problems(text: string) {
  try {
    validateYaml(NodeConfigSchema, text, "config/strowger.yaml");
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("accepted a bad config");
}

describe("config files", () => {
  it("fills every default from the schema for an empty file, and freezes the result", () => {
    const config = validateYaml(NodeConfigSchema, "", "strowger.yaml");
    expect(config.sip.udp.port).toBe(5060);
    expect(config.sip.timers).toEqual({ t1: 500, t2: 4000, t4: 5000 });
    expect(Object.isFrozen(config.sip.timers)).toBe(true);
  });

  it("names file, line, path and reason of a bad value", () => {
    const err = problems("node:\n  name: a\nsip:\n  udp:\n    port: 70000\n");
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.problems[0]).toMatchObject({ file: "config/strowger.yaml", line: 5, path: "sip.udp.port" });
    expect(err.message).toContain("config/strowger.yaml:5: sip.udp.port");
    expect(err.message).toContain("strowger check");
  });

  it("refuses unknown settings (a typo must not pass silently)", () => {
    const err = problems("sip:\n  timer:\n    t1: 500\n");
    expect(err.problems[0]).toMatchObject({ line: 2, path: "sip.timer" });
  });

  it("reports YAML syntax errors with their line", () => {
    const err = problems("sip:\n  udp: [1, 2\n");
    expect(err.code).toBe("CONFIG_YAML_SYNTAX");
    expect(err.problems[0]!.line).toBeGreaterThan(0);
  });
});

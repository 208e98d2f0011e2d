/** Loading a config folder (`--config DIR`, default `config/`). */
import { join, resolve } from "node:path";
import { loadYamlFile } from "./load-yaml.js";
import { NodeConfigSchema, type NodeConfig } from "./node-config-schema.js";

export interface LoadedConfig {
  readonly dir: string;
  readonly node: NodeConfig;
}

export const NODE_CONFIG_FILE = "strowger.yaml";

export async function loadConfig(dir: string): Promise<LoadedConfig> {
  const abs = resolve(dir);
  return { dir: abs, node: await loadYamlFile(NodeConfigSchema, join(abs, NODE_CONFIG_FILE)) };
}

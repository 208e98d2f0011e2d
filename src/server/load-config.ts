/** Loading a config folder (`--config DIR`, default `config/`): the node's settings and its users. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Directory } from "../pbx/directory/directory.js";
import { loadDirectory, USERS_FILE } from "../pbx/directory/load-directory.js";
import { loadYamlFile } from "../config/load-yaml.js";
import { NodeConfigSchema, type NodeConfig } from "../config/node-config-schema.js";

export interface LoadedConfig {
  readonly dir: string;
  readonly node: NodeConfig;
  readonly directory: Directory;
}

export const NODE_CONFIG_FILE = "strowger.yaml";

export async function loadConfig(dir: string): Promise<LoadedConfig> {
  const abs = resolve(dir);
  const node = await loadYamlFile(NodeConfigSchema, join(abs, NODE_CONFIG_FILE));
  // A folder without users.yaml is a node with no users yet (registrations are refused).
  const directory = existsSync(join(abs, USERS_FILE))
    ? await loadDirectory(abs, node.node.domain)
    : new Directory(node.node.domain, [], []);
  return { dir: abs, node, directory };
}

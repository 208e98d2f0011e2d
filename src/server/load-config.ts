/**
 * Loading a config folder (`--config DIR`, default `config/`): the node's settings,
 * its users and the dialplan, each checked against the others (a plan may name only
 * users, sites, trunks and classes that exist). Used by `start`, `check`, `route`
 * and a reload alike, so they agree on what is valid.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadYamlFile, readConfigFile } from "../config/load-yaml.js";
import { NodeConfigSchema, type NodeConfig } from "../config/node-config-schema.js";
import { parseDialplan, type Dialplan, type KnownNames } from "../dialplan/index.js";
import { Directory } from "../pbx/directory/directory.js";
import { loadDirectory, USERS_FILE } from "../pbx/directory/load-directory.js";

export interface LoadedConfig {
  readonly dir: string;
  readonly node: NodeConfig;
  readonly directory: Directory;
  /** Undefined when the plan file does not exist: calls are then refused (503). */
  readonly dialplan: Dialplan | undefined;
}

export const NODE_CONFIG_FILE = "strowger.yaml";

/** The names a plan may use: the directory's extensions and classes, the configured sites and trunks. */
export function knownNames(node: NodeConfig, directory: Directory): KnownNames {
  const users = [...directory.users()];
  return {
    knownExtensions: new Set(users.map((u) => u.extension)),
    knownClasses: new Set([...users.map((u) => u.class), ...Object.values(node.trunks).map((t) => t.context)]),
    knownSites: new Set(Object.keys(node.sites)),
    knownTrunks: new Set(Object.keys(node.trunks)),
  };
}

export function dialplanFile(dir: string, node: NodeConfig): string {
  return resolve(dir, node.dialplan.file);
}

/** The node's own settings alone (what `users import` needs: the realm). */
export async function loadNodeConfig(dir: string): Promise<{ dir: string; node: NodeConfig }> {
  const abs = resolve(dir);
  return { dir: abs, node: await loadYamlFile(NodeConfigSchema, join(abs, NODE_CONFIG_FILE)) };
}

/** How users.yaml is read: `loadDirectory` on the event loop, or off it for a running node's reload. */
export type LoadUsers = (configDir: string, domain: string) => Promise<Directory>;

export async function loadConfig(dir: string, loadUsers: LoadUsers = loadDirectory): Promise<LoadedConfig> {
  const { dir: abs, node } = await loadNodeConfig(dir);
  // A folder without users.yaml is a node with no users yet (registrations are refused).
  const directory = existsSync(join(abs, USERS_FILE))
    ? await loadUsers(abs, node.node.domain)
    : new Directory(node.node.domain, [], []);
  const planFile = dialplanFile(abs, node);
  const dialplan = existsSync(planFile) ? parseDialplan(await readConfigFile(planFile), planFile, knownNames(node, directory)) : undefined;
  return { dir: abs, node, directory, dialplan };
}

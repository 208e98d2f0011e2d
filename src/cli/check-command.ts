import { dialplanFile, loadConfig } from "../server/load-config.js";
import { formatDialplanWarnings } from "./route-command.js";

/**
 * `strowger check`: validate the config folder — settings, users and the dialplan
 * against both; throws ConfigError with every problem. Warnings (overlapping
 * patterns, unused names) are printed and do not fail the check.
 */
export async function checkCommand(options: { configDir: string }): Promise<number> {
  const config = await loadConfig(options.configDir);
  process.stdout.write(formatDialplanWarnings(config.dialplan));
  const plan = config.dialplan ? `dialplan ${dialplanFile(config.dir, config.node)}` : "no dialplan";
  process.stdout.write(`${config.dir}: configuration is valid (${config.directory.size} users, ${plan})\n`);
  return 0;
}

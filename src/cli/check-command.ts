import { loadConfig } from "../server/load-config.js";

/** `strowger check`: validate the config folder; throws ConfigError with every problem. */
export async function checkCommand(options: { configDir: string }): Promise<number> {
  const config = await loadConfig(options.configDir);
  process.stdout.write(`${config.dir}: configuration is valid (${config.directory.size} users)\n`);
  return 0;
}

import { loadConfig } from "../config/load-config.js";

/** `strowger check`: validate the config folder; throws ConfigError with every problem. */
export async function checkCommand(options: { configDir: string }): Promise<number> {
  const config = await loadConfig(options.configDir);
  process.stdout.write(`${config.dir}: configuration is valid\n`);
  return 0;
}

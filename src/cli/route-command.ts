/**
 * `strowger route FROM DIALLED [--at TIME] [--context CLASS]`: what the dialplan does
 * with a call, and why, rule by rule: the same `route` the proxy calls, on the plan
 * in `dialplans/main.yaml`. Also the file side of the dialplan for `strowger check`
 * (src/dialplan does no I/O, so reading plan files happens here).
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError, type ConfigProblem } from "../config/config-error.js";
import { readConfigFile } from "../config/load-yaml.js";
import { parseDialplan, parseRouteTime, route, formatTrace, type Dialplan, type KnownNames } from "../dialplan/index.js";
import type { Directory } from "../pbx/directory/directory.js";
import { loadConfig } from "../server/load-config.js";

/** The plan calls are routed by; other files in the folder are checked but not used yet. */
export const MAIN_DIALPLAN = "main.yaml";
export const DEFAULT_DIALPLANS_DIR = "dialplans";

export interface RouteCommandOptions {
  readonly configDir: string;
  /** Default `dialplans` (relative to the working directory, beside `config`). */
  readonly dialplansDir?: string;
  readonly from: string;
  readonly dialled: string;
  /** ISO time with Z or an offset; or `YYYY-MM-DD HH:MM` or `HH:MM` as UK time. Default now. */
  readonly at?: string;
  /** The caller's class of service; default the class of FROM in users.yaml. */
  readonly context?: string;
}

/**
 * Names the plan may refer to, from the directory. Sites and trunks have no files yet
 * (they come with the trunk and migration work), so they are not checked here and the
 * plan's warnings say so.
 */
export function knownNamesFromDirectory(directory: Directory): KnownNames {
  const users = [...directory.users()];
  return {
    knownExtensions: new Set(users.map((u) => u.extension)),
    knownClasses: new Set(users.map((u) => u.class)),
  };
}

export async function loadDialplanFile(file: string, known: KnownNames): Promise<Dialplan> {
  return parseDialplan(await readConfigFile(file), file, known);
}

/**
 * Every `*.yaml` plan in the folder, parsed and checked; one ConfigError with every
 * file's problems when any fails. No folder means no plans yet: an empty list.
 */
export async function checkDialplans(options: { dialplansDir: string; known: KnownNames }): Promise<readonly Dialplan[]> {
  const dir = resolve(options.dialplansDir);
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const plans: Dialplan[] = [];
  const problems: ConfigProblem[] = [];
  for (const f of files) {
    try {
      plans.push(await loadDialplanFile(join(dir, f), options.known));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", problems);
  return plans;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.reason}`;
}

/** The plans' warnings, one a line, for `strowger check` to print. */
export function formatDialplanWarnings(plans: readonly Dialplan[]): string {
  return plans.flatMap((plan) => plan.warnings.map((w) => `warning: ${formatProblem(w)}\n`)).join("");
}

export async function routeCommand(options: RouteCommandOptions): Promise<number> {
  const config = await loadConfig(options.configDir);
  const file = join(resolve(options.dialplansDir ?? DEFAULT_DIALPLANS_DIR), MAIN_DIALPLAN);
  const plan = await loadDialplanFile(file, knownNamesFromDirectory(config.directory));
  const context = options.context ?? config.directory.byExtensionOf(options.from)?.class;
  if (context === undefined) {
    process.stderr.write(`strowger: ${options.from} is not an extension in ${config.dir}/users.yaml; give the caller's class of service with --context CLASS\n`);
    return 2;
  }
  // Reading the clock is the command's job, never the engine's.
  const now = Date.now();
  const at = options.at === undefined ? now : parseRouteTime(options.at, now, plan.timezone);
  if (at === undefined) {
    process.stderr.write(`strowger: --at "${options.at}" is not a time: use HH:MM, "YYYY-MM-DD HH:MM" (${plan.timezone}) or an ISO time with Z or an offset\n`);
    return 2;
  }
  // Admins type numbers as they are printed ("01785 123456"); phones send no spaces.
  const dialled = options.dialled.replace(/\s+/g, "");
  const decision = route(plan, { from: options.from, context, dialled }, at);
  process.stdout.write(formatTrace(decision));
  if (plan.warnings.length > 0) process.stdout.write(`(the plan has ${plan.warnings.length} warnings: see strowger check)\n`);
  return 0;
}

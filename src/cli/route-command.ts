/**
 * `strowger route FROM DIALLED [--at TIME] [--context CLASS]`: what the dialplan does
 * with a call, and why, rule by rule: the same `route` the proxy calls, on the plan
 * the config names (`dialplan.file`, by default `dialplans/main.yaml`).
 */
import type { ConfigProblem } from "../config/config-error.js";
import { formatTrace, parseRouteTime, route, type Dialplan } from "../dialplan/index.js";
import { dialplanFile, loadConfig } from "../server/load-config.js";

export interface RouteCommandOptions {
  readonly configDir: string;
  readonly from: string;
  readonly dialled: string;
  /** ISO time with Z or an offset; or `YYYY-MM-DD HH:MM` or `HH:MM` as UK time. Default now. */
  readonly at?: string;
  /** The caller's class of service; default the class of FROM in users.yaml. */
  readonly context?: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.reason}`;
}

/** The plan's warnings, one a line, for `strowger check` to print. */
export function formatDialplanWarnings(plan: Dialplan | undefined): string {
  return (plan?.warnings ?? []).map((w) => `warning: ${formatProblem(w)}\n`).join("");
}

export async function routeCommand(options: RouteCommandOptions): Promise<number> {
  const config = await loadConfig(options.configDir);
  const plan = config.dialplan;
  if (!plan) {
    process.stderr.write(`strowger: no dialplan at ${dialplanFile(config.dir, config.node)}: write one (see dialplans/main.yaml) or set dialplan.file\n`);
    return 2;
  }
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

/**
 * The dialplan engine: a pure function from (plan, call, time) to a decision with its
 * trace, the loader that builds a plan from YAML text, and the words for both.
 */
export { parseDialplan } from "./parse-dialplan.js";
export { route, MAX_DIALLED_LENGTH } from "./route.js";
export { formatTrace, describeTarget, describeAction } from "./format-trace.js";
export { BUILT_IN_EMERGENCY_NUMBERS } from "./build-dialplan.js";
export { DEFAULT_TIMEZONE, parseRouteTime, localTime } from "./local-time.js";
export { DIALLED_EXTENSION } from "./dialplan.js";
export type {
  Call,
  Context,
  Decision,
  Dialplan,
  GroupTarget,
  KnownNames,
  Rule,
  RuleAction,
  Schedule,
  Target,
  TraceLine,
  TraceStep,
} from "./dialplan.js";

/**
 * Problems found in a plan, each at the line of the setting it is about: errors refuse
 * the plan, warnings are reported by `strowger check` and the plan still loads.
 */
import type { ConfigProblem } from "../config/config-error.js";

/** Errors past this are dropped: an admin fixes the first ones and runs check again. */
const MAX_PROBLEMS = 100;

export class Problems {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];

  constructor(
    private readonly file: string,
    private readonly lineOf: (pointer: string) => number,
  ) {}

  error(pointer: string, reason: string): void {
    if (this.errors.length < MAX_PROBLEMS) this.errors.push(this.at(pointer, reason));
  }

  warn(pointer: string, reason: string): void {
    if (this.warnings.length < MAX_PROBLEMS) this.warnings.push(this.at(pointer, reason));
  }

  line(pointer: string): number {
    return this.lineOf(pointer);
  }

  private at(pointer: string, reason: string): ConfigProblem {
    // The empty pointer is the file as a whole: line 0, as ConfigProblem has it.
    return { file: this.file, line: pointer === "" ? 0 : this.lineOf(pointer), path: pointer.slice(1).replace(/\//g, "."), reason };
  }
}

export function byLine(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line);
}

/** A config file Strowger refuses, with where and why, and what to do about it. */
export type ConfigErrorCode = "CONFIG_NOT_FOUND" | "CONFIG_YAML_SYNTAX" | "CONFIG_INVALID";

export interface ConfigProblem {
  readonly file: string;
  /** 1-based; 0 when the problem is the file as a whole. */
  readonly line: number;
  /** The setting, dotted (`sip.udp.port`); empty for the whole document. */
  readonly path: string;
  readonly reason: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly code: ConfigErrorCode,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.reason}`).join("\n") +
        "\nFix the file and run `strowger check --config DIR` until it passes; a running node keeps its current config.",
    );
  }
}

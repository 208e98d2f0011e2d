#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The `strowger` command line.
 *
 * Every launcher runs it with `--max-semi-space-size=4` (this line, `npm start`, the
 * Dockerfile, bench/lib/targets.sh): a call's transactions live 32 s (RFC 6026), so
 * the young generation is full of survivors, and a 4 MiB semi-space keeps each
 * scavenge short. Measured with the call-rate bench: INVITE → 180 p99 at 200 calls/s
 * 7.7 ms against 10.2 ms with V8's default (medians of 7 runs each, bench/README.md).
 * The price is throughput: with 16 MiB a registration costs 15–20% less CPU (fewer
 * scavenges), which a node that only registers phones may prefer.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../config/config-error.js";
import { join } from "node:path";
import { DEFAULT_CDR_FILE } from "../server/strowger-node.js";
import { callsCommand } from "./calls-command.js";
import { cdrExportCommand } from "./cdr-command.js";
import { checkCommand } from "./check-command.js";
import { routeCommand } from "./route-command.js";
import { startCommand } from "./start-command.js";
import { usersImportCommand } from "./users-import-command.js";

const USAGE = `Usage: strowger <command> [options]

Commands:
  start     Start a SIP node (UDP/TCP 5060, TLS 5061 when a certificate is set,
            WebSocket 5066) on the config folder. SIGHUP reloads users.yaml.
  check     Validate the config folder and exit: 0 when it is good, 1 with
            file, line and reason for each problem when it is not.
  route FROM DIALLED [--at TIME] [--context CLASS]
            What the dialplan does with a call, rule by rule. TIME: HH:MM or
            "YYYY-MM-DD HH:MM" (UK time), or ISO with Z or an offset.
  calls --redis URL
            The calls in progress across the pair (dialogs in Redis).
  cdr export [--format csv|jsonl] [--since ISO] [--until ISO] [--out FILE]
            Call records, from Redis (--redis) or, for a one-node install,
            from its records file (DIR/var/cdr.jsonl, or --cdr-file FILE).
  users import FILE.csv
            Merge users from a CSV (header: extension,ddi,name,organisation,
            site,class,password) into users.yaml; passwords are stored only as
            HA1 digests. Nothing is written unless every row passes.

Options:
  --config DIR   config folder (default: ./config)
  --port N       SIP UDP/TCP port (also STROWGER_SIP_PORT); TLS, WS and WSS
                 move with it to N+1, N+6 and N+7, so that several nodes can
                 share one machine
  --redis URL    the pair's shared Redis, redis://host:port/db (also
                 STROWGER_REDIS_URL); without it, state is in memory (one node)
  --name NAME    this node's name (also STROWGER_NODE_NAME), overriding
                 node.name: the two nodes of a pair can share one config folder
  -h, --help     show this help
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string", default: "config" },
      port: { type: "string" },
      redis: { type: "string" },
      name: { type: "string" },
      format: { type: "string", default: "csv" },
      since: { type: "string" },
      until: { type: "string" },
      out: { type: "string" },
      "cdr-file": { type: "string" },
      at: { type: "string" },
      context: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command] = positionals;
  if (values.help || command === undefined || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const portText = values.port ?? process.env.STROWGER_SIP_PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port <= 65528)) {
    process.stderr.write(`strowger: --port must be a whole number from 1 to 65528, not "${portText}"\n`);
    return 2;
  }
  switch (command) {
    case "start": {
      const redisUrl = values.redis ?? process.env.STROWGER_REDIS_URL;
      const name = values.name ?? process.env.STROWGER_NODE_NAME;
      if (name !== undefined && !/^[A-Za-z0-9_.-]+$/.test(name)) {
        process.stderr.write(`strowger: --name must be letters, digits, '.', '_' or '-', not "${name}"\n`);
        return 2;
      }
      return startCommand({ configDir: values.config, ...(port !== undefined && { port }), ...(redisUrl && { redisUrl }), ...(name && { name }) });
    }
    case "check":
      return checkCommand({ configDir: values.config });
    case "cdr": {
      if (positionals[1] !== "export" || (values.format !== "csv" && values.format !== "jsonl")) {
        process.stderr.write("strowger: usage: strowger cdr export [--format csv|jsonl] [--since ISO] [--until ISO] [--out FILE] [--redis URL | --cdr-file FILE]\n");
        return 2;
      }
      const redisUrl = values.redis ?? process.env.STROWGER_REDIS_URL;
      // Without Redis, the records of a one-node install are in its call records file.
      const cdrFile = values["cdr-file"] ?? (redisUrl ? undefined : join(values.config, DEFAULT_CDR_FILE));
      return cdrExportCommand({
        format: values.format,
        ...(redisUrl && !values["cdr-file"] && { redisUrl }),
        ...(cdrFile !== undefined && { cdrFile }),
        ...(values.since !== undefined && { since: values.since }),
        ...(values.until !== undefined && { until: values.until }),
        ...(values.out !== undefined && { out: values.out }),
      });
    }
    case "calls":
      return callsCommand({ ...((values.redis ?? process.env.STROWGER_REDIS_URL) && { redisUrl: values.redis ?? process.env.STROWGER_REDIS_URL }) });
    case "route": {
      const [, from, dialled] = positionals;
      if (from === undefined || dialled === undefined) {
        process.stderr.write("strowger: usage: strowger route FROM DIALLED [--at TIME] [--context CLASS] [--config DIR]\n");
        return 2;
      }
      return routeCommand({
        configDir: values.config,
        from,
        dialled,
        ...(values.at !== undefined && { at: values.at }),
        ...(values.context !== undefined && { context: values.context }),
      });
    }
    case "users": {
      const [, action, csvFile] = positionals;
      if (action !== "import" || csvFile === undefined) {
        process.stderr.write(`strowger: usage: strowger users import FILE.csv [--config DIR]\n`);
        return 2;
      }
      return usersImportCommand({ configDir: values.config, csvFile });
    }
    default:
      process.stderr.write(`strowger: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`strowger: config refused\n${err.message}\n`);
    else if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`strowger: ${err.message}\n\n${USAGE}`);
    } else process.stderr.write(`strowger: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = err instanceof ConfigError ? 1 : 2;
  },
);

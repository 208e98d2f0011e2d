/**
 * A registration scenario run by sipp with the test as its twin (sipp-twin.ts):
 * sipp sends the REGISTERs, passes each 401's challenges to the twin, and sends
 * the Authorization the twin computes. The scenarios (scenarios/uac-register-*)
 * read these keys: [user] (From, To, Contact), [domain] (Request-URI, AOR host)
 * and [expires] (the Expires header field).
 */
import { authorization, challengeFor, readChallenges, type Challenge } from "./digest-client.js";
import { runSipp, type SippRun } from "./sipp.js";
import { commandValues, startSippTwin, type Authorize, type TwinCommand } from "./sipp-twin.js";
import { TEST_REALM } from "./test-directory.js";

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** The challenge answered; SHA-256 by default, the node's topmost (RFC 8760 §2.4: the UAC uses the first it supports). */
  readonly algorithm?: "SHA-256" | "MD5";
}

/** The challenges a twin command carries (the 401's WWW-Authenticate fields). */
export function commandChallenges(command: TwinCommand): Challenge[] {
  return readChallenges(commandValues(command, "WWW-Authenticate"));
}

/** A twin that answers every challenge with these credentials, for the method and Request-URI the command names. */
export function answerWith(credentials: Credentials): Authorize {
  return (command) =>
    authorization(challengeFor(commandChallenges(command), credentials.algorithm ?? "SHA-256"), {
      username: credentials.username,
      password: credentials.password,
      method: commandValues(command, "Method")[0] ?? "REGISTER",
      uri: commandValues(command, "Request-URI")[0] ?? `sip:${TEST_REALM}`,
    });
}

export interface SippRegisterOptions {
  readonly scenario: string;
  readonly remote: { readonly address: string; readonly port: number };
  readonly transport: "u1" | "t1";
  /** The user in From, To and Contact. */
  readonly user: string;
  readonly expires?: number;
  readonly domain?: string;
  /** How the twin answers each challenge. */
  readonly authorize: Authorize;
  readonly extraArgs?: readonly string[];
}

export interface SippRegisterRun extends SippRun {
  /** What sipp passed to the twin, one command per challenge answered. */
  readonly commands: readonly TwinCommand[];
}

export async function registerWithSipp(options: SippRegisterOptions): Promise<SippRegisterRun> {
  const twin = await startSippTwin(options.authorize);
  let run: SippRun;
  try {
    run = await runSipp({
      scenario: options.scenario,
      remote: options.remote,
      transport: options.transport,
      extraArgs: [
        ...twin.args,
        "-key", "user", options.user,
        "-key", "domain", options.domain ?? TEST_REALM,
        "-key", "expires", String(options.expires ?? 3600),
        ...(options.extraArgs ?? []),
      ],
    });
  } finally {
    await twin.close();
  }
  return { ...run, commands: twin.commands };
}

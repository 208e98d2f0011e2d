/**
 * The registrar (RFC 3261 §10.3): an authenticated REGISTER updates the bindings
 * of its address of record in the shared store, so a phone that registered through
 * one node is found by the other at once.
 */
import { createResponse, SipParseError, type SipResponse } from "../../sip/message/index.js";
import type { StateStore } from "../../state/index.js";
import type { CredentialsGate } from "../auth/digest-authenticator.js";
import type { User } from "../directory/directory-schema.js";
import type { IncomingRequest } from "../pipeline/incoming-request.js";
import { canonicalAor, registerTarget } from "./aor.js";
import { applyRegister, type RegistrarPolicy, type RegisterRefusal } from "./apply-register.js";
import { registerOk } from "./register-response.js";
import { readRegisterRequest, type RegisterRequest } from "./requested-contacts.js";

export interface RegistrarOptions extends RegistrarPolicy {
  readonly defaultExpires: number;
  /** The node's name, kept on each binding: the node that holds the phone's connection. */
  readonly node: string;
  /** The SIP domain served: the host of every AOR. */
  readonly domain: () => string;
  /** Counts outcomes for metrics. */
  readonly count?: (outcome: "registered" | "refreshed" | "unregistered" | "refused") => void;
}

export class Registrar {
  constructor(
    private readonly store: StateStore,
    private readonly options: RegistrarOptions,
  ) {}

  /**
   * `credentials`: the store's half of the REGISTER's digest check, made with the binding
   * update (one store command for both), or alone before any other refusal.
   */
  async register(incoming: IncomingRequest, user: User, credentials: CredentialsGate): Promise<void> {
    const { request, source } = incoming;
    const reply = (response: SipResponse) => incoming.respond(response);
    const refuse = async (status: number, reason?: string): Promise<void> => {
      if (!(await credentials.confirm())) return;
      this.options.count?.("refused");
      reply(createResponse(request, status, reason));
    };
    // RFC 3261 §10.3 step 5 (and RFC 4475 §3.3.4): the AOR is the To URI, a SIP URI with a user.
    const target = registerTarget(request.toUri);
    if (!target) return refuse(400, "To must be a sip or sips URI with a user part");
    if (target.host.toLowerCase() !== this.options.domain().toLowerCase()) return refuse(404, "Domain not served here");
    const aor = canonicalAor(target);
    // RFC 3261 §10.3 step 4: the authenticated user may change only its own bindings.
    if (aor !== `sip:${user.extension}@${this.options.domain().toLowerCase()}`) return refuse(403, "May not register another user");

    let wanted: RegisterRequest;
    try {
      wanted = readRegisterRequest(request, this.options.defaultExpires);
    } catch (err) {
      if (err instanceof SipParseError) return refuse(400, err.reason);
      // Not even an error (a 500) before the credentials check: it would tell a blocked user its password was right.
      if (await credentials.confirm()) throw err;
      return;
    }
    const context = {
      aor,
      callId: request.callId,
      cseq: request.cseq.seq,
      source: {
        transport: source.transport,
        address: source.address,
        port: source.port,
        ...(source.connectionId !== undefined && { connectionId: source.connectionId }),
      },
      node: this.options.node,
      path: request.headers.values("Path"),
      ...(request.header("User-Agent") !== undefined && { userAgent: request.header("User-Agent") }),
    };
    const result = await this.store.updateBindings<RegisterRefusal>(
      aor,
      (current, now) => applyRegister(current, wanted, context, this.options, now),
      credentials.use,
    );
    if (result.kind === "credentials refused") return credentials.refused(result.check);
    credentials.passed();
    if (result.kind === "refused") {
      const response = createResponse(request, result.status, result.reason);
      // RFC 3261 §10.3 step 7: a 423 carries the registrar's Min-Expires.
      if (result.minExpires !== undefined) response.headers.set("Min-Expires", String(result.minExpires));
      this.options.count?.("refused");
      incoming.log.info({ aor, status: result.status, reason: result.reason }, "registration refused");
      return reply(response);
    }
    const now = Date.now();
    const outcome = result.bindings.length === 0 ? "unregistered" : result.previous.length === 0 ? "registered" : "refreshed";
    // Counted, not logged: a registration is the most common request there is, and its
    // outcome is in the metrics (refusals are logged above).
    this.options.count?.(outcome);
    reply(registerOk(request, result.bindings, now));
  }
}

/**
 * REGISTER at this node: authenticate (RFC 3261 §22), then the registrar (§10.3). The
 * store's half of the digest check goes with the binding update: one store command a
 * registration.
 */
import type { DigestAuthenticator } from "../auth/digest-authenticator.js";
import type { Stage } from "../pipeline/incoming-request.js";
import type { Registrar } from "./registrar.js";

export function registerHandler(authenticator: DigestAuthenticator, registrar: Registrar): Stage {
  return async (incoming): Promise<"handled"> => {
    const verified = await authenticator.verify(incoming);
    if (verified) await registrar.register(incoming, verified.user, verified.gate);
    return "handled";
  };
}

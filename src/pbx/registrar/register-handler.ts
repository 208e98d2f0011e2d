/** REGISTER at this node: authenticate (RFC 3261 §22), then the registrar (§10.3). */
import type { DigestAuthenticator } from "../auth/digest-authenticator.js";
import type { Stage } from "../pipeline/incoming-request.js";
import type { Registrar } from "./registrar.js";

export function registerHandler(authenticator: DigestAuthenticator, registrar: Registrar): Stage {
  return async (incoming): Promise<"handled"> => {
    const user = await authenticator.authenticate(incoming);
    if (user) await registrar.register(incoming, user);
    return "handled";
  };
}

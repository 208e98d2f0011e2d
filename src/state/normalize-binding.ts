import type { Binding, BindingSource } from "./binding.js";
import { isObject, nonEmptyString } from "./value-checks.js";

/**
 * Checks that `value` is a binding of `aor` and returns a copy holding only the
 * fields of `Binding` (no undefined members, so it survives JSON unchanged), or a
 * sentence saying what is wrong. Both stores run every binding they write through
 * it, and the Redis store every binding it reads: a value the other node (perhaps a
 * newer version) wrote is checked before this node acts on it.
 */
export function normalizeBinding(value: unknown, aor: string): Binding | string {
  if (!isObject(value)) return "a binding is not an object";
  const b = value;
  if (!nonEmptyString(b.key)) return "a binding has no key";
  const where = `binding ${JSON.stringify(b.key)}`;
  if (b.aor !== aor) return `${where} belongs to ${JSON.stringify(b.aor)}, not to ${JSON.stringify(aor)}`;
  if (!nonEmptyString(b.contact)) return `${where} has no contact`;
  if (!Number.isSafeInteger(b.expiresAt)) return `${where}: expiresAt is not whole epoch ms`;
  if (b.q !== undefined && !(typeof b.q === "number" && b.q >= 0 && b.q <= 1)) return `${where}: q is not in 0..1`;
  if (!nonEmptyString(b.callId)) return `${where} has no callId`;
  // RFC 3261 §8.1.1.5: the CSeq sequence number "MUST be expressible as a 32-bit
  // unsigned integer" and "MUST be less than 2**31".
  if (!(Number.isInteger(b.cseq) && (b.cseq as number) >= 0 && (b.cseq as number) < 2 ** 31)) return `${where}: cseq is not in 0..2^31-1`;
  if (b.instanceId !== undefined && typeof b.instanceId !== "string") return `${where}: instanceId is not a string`;
  // RFC 5626 §4.2: reg-id is a positive integer.
  if (b.regId !== undefined && !(Number.isSafeInteger(b.regId) && (b.regId as number) >= 1)) return `${where}: regId is not a positive integer`;
  if (!Array.isArray(b.path) || !b.path.every((p) => typeof p === "string")) return `${where}: path is not a list of strings`;
  const source = normalizeSource(b.source);
  if (typeof source === "string") return `${where}: ${source}`;
  if (!nonEmptyString(b.node)) return `${where} has no node`;
  if (b.userAgent !== undefined && typeof b.userAgent !== "string") return `${where}: userAgent is not a string`;
  if (!Number.isSafeInteger(b.registeredAt)) return `${where}: registeredAt is not whole epoch ms`;

  return {
    key: b.key,
    aor,
    contact: b.contact,
    expiresAt: b.expiresAt as number,
    ...(b.q !== undefined && { q: b.q as number }),
    callId: b.callId,
    cseq: b.cseq as number,
    ...(b.instanceId !== undefined && { instanceId: b.instanceId as string }),
    ...(b.regId !== undefined && { regId: b.regId as number }),
    path: [...(b.path as string[])],
    source,
    node: b.node,
    ...(b.userAgent !== undefined && { userAgent: b.userAgent as string }),
    registeredAt: b.registeredAt as number,
  };
}

function normalizeSource(value: unknown): BindingSource | string {
  if (!isObject(value)) return "source is not an object";
  if (!nonEmptyString(value.transport)) return "source has no transport";
  if (!nonEmptyString(value.address)) return "source has no address";
  if (!(Number.isInteger(value.port) && (value.port as number) >= 0 && (value.port as number) <= 65535)) return "source port is not in 0..65535";
  if (value.connectionId !== undefined && typeof value.connectionId !== "string") return "source connectionId is not a string";
  return {
    transport: value.transport,
    address: value.address,
    port: value.port as number,
    ...(value.connectionId !== undefined && { connectionId: value.connectionId as string }),
  };
}

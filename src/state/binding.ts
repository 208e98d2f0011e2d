/**
 * One contact bound to an address-of-record: a row of the location service
 * (RFC 3261 §10.3), with what RFC 3327 (Path) and RFC 5626 (outbound) add to it.
 * Bindings are plain data so they cross to Redis and to the other node as JSON.
 */
export interface Binding {
  /**
   * The binding's identity within its AOR, computed by the registrar (see
   * `bindingKey`): the (instance-id, reg-id) pair when both are present, else the
   * Contact URI in the form RFC 3261 §19.1.4 compares. Unique within an AOR.
   */
  readonly key: string;
  /** The canonical address-of-record, `sip:user@domain`. */
  readonly aor: string;
  /** The Contact URI as registered, escapes kept: it is the target requests are sent to. */
  readonly contact: string;
  /** Epoch ms at which the binding is gone (it is live while `now < expiresAt`). */
  readonly expiresAt: number;
  /** The Contact's q-value, 0..1 (RFC 3261 §10.2.1.2); absent when the phone gave none. */
  readonly q?: number;
  /** Call-ID and CSeq of the REGISTER that made it: RFC 3261 §10.3 step 7 orders updates by them. */
  readonly callId: string;
  readonly cseq: number;
  /** RFC 5626 `+sip.instance` (the device's URN), and its `reg-id` flow number. */
  readonly instanceId?: string;
  readonly regId?: number;
  /** RFC 3327 Path header values, in the order received; requests to the contact go through them. */
  readonly path: readonly string[];
  /** Where the REGISTER came from: a NAT'd phone is reached there, not at its Contact. */
  readonly source: BindingSource;
  /** Name of the node holding the connection (flow) to the phone. */
  readonly node: string;
  readonly userAgent?: string;
  /** Epoch ms of the REGISTER that made or last refreshed the binding. */
  readonly registeredAt: number;
}

export interface BindingSource {
  /** "udp" | "tcp" | "tls" | "ws" | "wss": kept as the transport layer names it. */
  readonly transport: string;
  readonly address: string;
  readonly port: number;
  /** The node-local connection the REGISTER arrived on (RFC 5626 flow), for connection-oriented transports. */
  readonly connectionId?: string;
}

/** A binding is live until the instant it expires: returned at `expiresAt - 1`, gone at `expiresAt`. */
export function isLive(binding: Binding, now: number): boolean {
  return now < binding.expiresAt;
}

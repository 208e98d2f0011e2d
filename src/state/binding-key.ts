/**
 * The identity of a binding within its AOR, the `Binding.key` the store indexes by.
 *
 * RFC 5626 §6: a registrar that receives a Contact with both `+sip.instance` and
 * `reg-id` matches it against existing bindings by that pair, so a phone that
 * re-registers a flow (from a new address or port after a NAT rebinding) replaces its
 * own binding instead of adding a second one. Without both, the binding is matched
 * as RFC 3261 §10.3 step 7 says: by Contact URI, compared under §19.1.4 rules.
 *
 * The URI comparison stays with the registrar (it owns the URI parser): it passes the
 * contact in a form where equal URIs give equal strings. The two forms carry distinct
 * prefixes so an instance key can never equal a URI key.
 */
export function bindingKey(
  contact: { readonly instanceId?: string | undefined; readonly regId?: number | undefined },
  comparableUri: string,
): string {
  if (contact.instanceId !== undefined && contact.regId !== undefined) {
    return `instance ${contact.instanceId} reg-id ${contact.regId}`;
  }
  return `uri ${comparableUri}`;
}

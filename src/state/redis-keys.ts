/**
 * Every Redis key the store uses, in one place; `README.md` documents each one's type,
 * TTL and writer. All keys share a prefix (default `strowger:`) so one Redis can serve
 * several clusters, or sit beside other applications.
 */
export class RedisKeys {
  /** Sorted set of `<aor> <binding key>` scored by the binding's expiresAt. */
  readonly bindingIndex: string;
  /** Sorted set of AORs scored by their latest binding's expiresAt. */
  readonly aorIndex: string;
  /** Sorted set of dialog ids (`<Call-ID>;<caller's tag>`) scored by the dialog's expiresAt. */
  readonly dialogIndex: string;
  /** Sorted set of call records, each member one record's JSON, scored by its endedAt. */
  readonly callRecords: string;

  constructor(readonly prefix: string) {
    this.bindingIndex = `${prefix}index:bindings`;
    this.aorIndex = `${prefix}index:aors`;
    this.dialogIndex = `${prefix}index:dialogs`;
    this.callRecords = `${prefix}cdrs`;
  }

  /** String: the AOR's bindings as JSON (`binding-codec.ts`). */
  aor(aor: string): string {
    return `${this.prefix}aor:${aor}`;
  }

  /** The member of `bindingIndex` for one binding. AORs hold no space, so the split is unambiguous. */
  bindingMember(aor: string, bindingKey: string): string {
    return `${aor} ${bindingKey}`;
  }

  /**
   * Hash of the dialogs of one Call-ID: field the caller's tag, value the dialog as
   * JSON (`record-codec.ts`). Nearly always one field; keyed by Call-ID so that a
   * request from either side finds its dialog with one HMGET of both its tags.
   */
  dialog(callId: string): string {
    return `${this.prefix}dialog:${callId}`;
  }

  /** Hash {nc, expiresAt}: the highest nonce count accepted for the nonce. */
  nonce(nonce: string): string {
    return `${this.prefix}nonce:${nonce}`;
  }

  /** Hash {count, windowEndsAt}: failed authentications of the key in its current window. */
  failures(key: string): string {
    return `${this.prefix}failures:${key}`;
  }

  /** String: a cluster-wide random secret, base64 (no TTL; written once with SET NX). */
  secret(name: string): string {
    return `${this.prefix}secret:${name}`;
  }

  /** String: epoch ms at which the key's block ends. */
  block(key: string): string {
    return `${this.prefix}block:${key}`;
  }
}

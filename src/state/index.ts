/** The state layer's public face: what `src/pbx` and the node's composition root import. */
export type { Binding, BindingSource } from "./binding.js";
export { isLive } from "./binding.js";
export { bindingKey } from "./binding-key.js";
export type {
  BindingCounts,
  BindingsUpdate,
  BindingsUpdated,
  CredentialsCheck,
  CredentialsRefused,
  CredentialsUse,
  NonceCountUse,
  StateHealth,
  StateHealthState,
  StateStore,
  UpdateRefusal,
} from "./state-store.js";
export type { DialogRecord } from "./dialog-record.js";
export { DIALOG_SAFETY_TTL_MS, dialogId, isLiveDialog } from "./dialog-record.js";
export type { CallDisposition, CallRecord, CallRecordQuery, CallRecordRetention } from "./call-record.js";
export { isStateError, StateError, type StateErrorCode } from "./state-error.js";
export { createStateStore, type StateStoreSettings } from "./create-state-store.js";
export { MemoryStateStore, type MemoryStateStoreOptions } from "./memory-state-store.js";
export { RedisStateStore, type RedisStateStoreOptions } from "./redis-state-store.js";
export { LastKnownStateStore, type LastKnownStateStoreOptions } from "./last-known-state-store.js";
export type { FallbackOperation, LastKnownEvent, WrittenBack } from "./last-known-events.js";
export type { RedisConnectionSettings, RedisSentinelSettings } from "./redis-connection.js";

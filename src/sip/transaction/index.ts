export * from "./invite-client-transaction.js";
export * from "./invite-server-transaction.js";
export * from "./non-invite-client-transaction.js";
export * from "./non-invite-server-transaction.js";
export * from "./timers.js";
export * from "./transaction-error.js";
export type { ResponseHandler, ServerFailure } from "./transaction.js";
export * from "./transaction-layer.js";

export * from "./endpoint.js";
export * from "./transport-error.js";
export * from "./transport-layer.js";
export * from "./transport-options.js";

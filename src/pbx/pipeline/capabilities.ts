/**
 * What this node offers, in one place: the methods it handles (Allow), the option
 * tags it supports (Supported, and the test of Require/Proxy-Require), and the
 * bodies it accepts. Handlers are registered by method, so Allow is never out of
 * step with what is actually handled.
 */
export const SUPPORTED_OPTION_TAGS: readonly string[] = ["path", "outbound"];
export const ACCEPTED_BODY_TYPES = ["application/sdp"];

/** RFC 3261 §8.2.2.3 and §16.3 step 5: the option tags of a header that we do not support. */
export function unsupportedOptionTags(values: readonly string[]): string[] {
  return values.map((v) => v.trim()).filter((tag) => tag.length > 0 && !SUPPORTED_OPTION_TAGS.includes(tag.toLowerCase()));
}

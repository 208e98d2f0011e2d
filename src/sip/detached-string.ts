/**
 * Strings kept past the message they were read from (transaction keys and tags, a
 * response's address, a failure's Call-ID). V8 cuts a substring as a view into its
 * parent (a sliced string) and joins strings as a tree (a cons string), so a branch or
 * a tag read off a datagram keeps that datagram's whole text alive. A transaction in
 * Completed or Accepted lives 32 s on UDP; at a few hundred calls a second, the texts
 * its keys and tags would hold are megabytes of old messages for the GC to copy.
 */

/** Joins `parts` with spaces into a new flat string, which refers to none of them (V8 builds a join result afresh). */
export function joinedKey(...parts: readonly (string | number)[]): string {
  return parts.join(" ");
}

/** A copy of `s` that keeps no message text alive. */
export function detached(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

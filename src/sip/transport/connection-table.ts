/**
 * The open connections, indexed by id (a flow the core names, RFC 5626) and by remote
 * endpoint (connection reuse, RFC 3261 §18.1.1 and §18.2.2), so that sending never
 * scans them all.
 */
import type { Connection } from "./connection.js";

export class ConnectionTable {
  private readonly byIdIndex = new Map<string, Connection>();
  /** Several connections may join the same two endpoints; the newest is used. */
  private readonly byRemoteIndex = new Map<string, Connection[]>();

  get size(): number {
    return this.byIdIndex.size;
  }

  add(connection: Connection): void {
    this.byIdIndex.set(connection.id, connection);
    const same = this.byRemoteIndex.get(connection.remoteKey);
    if (same) same.push(connection);
    else this.byRemoteIndex.set(connection.remoteKey, [connection]);
  }

  remove(connection: Connection): void {
    if (!this.byIdIndex.delete(connection.id)) return;
    const same = this.byRemoteIndex.get(connection.remoteKey);
    if (!same) return;
    const rest = same.filter((c) => c !== connection);
    if (rest.length === 0) this.byRemoteIndex.delete(connection.remoteKey);
    else this.byRemoteIndex.set(connection.remoteKey, rest);
  }

  byId(id: string): Connection | undefined {
    return this.byIdIndex.get(id);
  }

  /** The newest connection to a remote endpoint, by `endpointKey`. */
  byRemote(key: string): Connection | undefined {
    return this.byRemoteIndex.get(key)?.at(-1);
  }

  /** Every connection, for shutting down. */
  all(): Connection[] {
    return [...this.byIdIndex.values()];
  }
}

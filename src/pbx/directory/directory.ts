import type { User } from "./directory-schema.js";

/**
 * The users, indexed by extension and by DDI. Immutable: a reload builds a new
 * Directory and swaps it in whole, so a request sees one consistent directory.
 */
export class Directory {
  private readonly byExtension = new Map<string, User>();
  private readonly byDdi = new Map<string, User>();

  constructor(
    readonly realm: string,
    readonly organisations: readonly string[],
    users: readonly User[],
  ) {
    for (const user of users) {
      this.byExtension.set(user.extension, user);
      if (user.ddi) this.byDdi.set(user.ddi, user);
    }
  }

  get size(): number {
    return this.byExtension.size;
  }

  byExtensionOf(extension: string): User | undefined {
    return this.byExtension.get(extension);
  }

  byDdiOf(ddi: string): User | undefined {
    return this.byDdi.get(ddi);
  }

  users(): IterableIterator<User> {
    return this.byExtension.values();
  }
}

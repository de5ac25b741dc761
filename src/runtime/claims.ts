// Exclusive claims on names: the first key to claim a name holds it until it lets go; every other key is told who
// holds it. Check-and-set in one synchronous step, so two keys worked on at once can never both win.
// Nothing here knows what the names stand for; the caller decides when a key claims and when it lets go.

export class Claims {
  private readonly holderOf = new Map<string, string>();
  private readonly nameOf = new Map<string, string>();

  /** The key that holds the name after this call: `key` itself when it was free (or already its). */
  claim(name: string, key: string): string {
    const holder = this.holderOf.get(name);
    if (holder !== undefined) return holder;
    // A key holds one name at a time: claiming another lets the first go.
    this.release(key);
    this.holderOf.set(name, key);
    this.nameOf.set(key, name);
    return key;
  }

  /** The key lets go of whatever it holds (it is done with it, or gone). */
  release(key: string): void {
    const name = this.nameOf.get(key);
    if (name === undefined) return;
    this.nameOf.delete(key);
    this.holderOf.delete(name);
  }

  /** How many names are held (for metrics and tests). */
  get size(): number {
    return this.holderOf.size;
  }
}

/**
 * Users and items this process knows to be registered, so the hot path skips the database for them.
 * Bounded: past `capacity` the oldest half is forgotten (a forgotten id costs one cheap insert).
 */
export class KnownEntitiesCache {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 500_000) {}

  has(kind: string, id: string): boolean {
    return this.ids.has(`${kind}|${id}`);
  }

  addAll(kind: string, ids: Iterable<string>): void {
    for (const id of ids) this.ids.add(`${kind}|${id}`);
    if (this.ids.size > this.capacity) {
      let drop = this.ids.size - this.capacity / 2;
      for (const key of this.ids) {
        if (drop-- <= 0) break;
        this.ids.delete(key);
      }
    }
  }
}

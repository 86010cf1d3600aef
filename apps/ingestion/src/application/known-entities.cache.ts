/**
 * Users and items this process knows to be registered, so the hot path skips the database for them.
 * Bounded: past `capacity` ids of a kind the oldest half is forgotten (a forgotten id costs one cheap insert).
 */
export class KnownEntitiesCache {
  private readonly ids = new Map<string, Set<string>>();

  constructor(private readonly capacity = 500_000) {}

  has(kind: string, id: string): boolean {
    return this.ids.get(kind)?.has(id) ?? false;
  }

  addAll(kind: string, ids: Iterable<string>): void {
    let known = this.ids.get(kind);
    if (!known) this.ids.set(kind, (known = new Set()));
    for (const id of ids) known.add(id);
    if (known.size > this.capacity) {
      let drop = known.size - this.capacity / 2;
      for (const id of known) {
        if (drop-- <= 0) break;
        known.delete(id);
      }
    }
  }
}

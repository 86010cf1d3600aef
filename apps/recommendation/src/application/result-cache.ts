/**
 * Answers reused for a short time per user or session, dropped as soon as that user or session acts
 * (the interaction stream tells every replica). Bounded: the oldest entries go first.
 */
export class ResultCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number; subject: string }>();
  private readonly bySubject = new Map<string, Set<string>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(subject: string, key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    this.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs, subject });
    let keys = this.bySubject.get(subject);
    if (!keys) this.bySubject.set(subject, (keys = new Set()));
    keys.add(key);
    while (this.entries.size > this.maxEntries) this.delete(this.entries.keys().next().value as string);
  }

  /** Drops every answer cached for a subject ("u:<user>" or "s:<session>"). */
  invalidate(subject: string): number {
    const keys = [...(this.bySubject.get(subject) ?? [])];
    for (const k of keys) this.delete(k);
    return keys.length;
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    const keys = this.bySubject.get(e.subject);
    keys?.delete(key);
    if (keys && keys.size === 0) this.bySubject.delete(e.subject);
  }
}

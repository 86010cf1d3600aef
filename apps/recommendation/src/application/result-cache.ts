/**
 * Answers reused for a short time per user or session, dropped as soon as that user or session acts
 * (the interaction stream tells every replica). Bounded: the oldest entries go first.
 *
 * Hot keys never stampede: concurrent misses of one key share one computation (single flight), an
 * entry in the last part of its life is served while one request refreshes it in the background, and
 * lifetimes are jittered so entries cached together do not all expire together.
 */
export interface Computed<T> {
  value: T;
  /** False for answers that must not be reused (e.g. degraded ones). */
  keep: boolean;
}

interface Entry<T> {
  value: T;
  expires: number;
  refreshAfter: number;
  subject: string;
}

interface Flight<T> {
  promise: Promise<Computed<T>>;
  subject: string;
  generation: number;
}

/** Share of the lifetime after which a hit also starts a background refresh. */
const REFRESH_AFTER = 0.75;
/** Lifetimes vary by ± this share. */
const JITTER = 0.1;

export class ResultCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly bySubject = new Map<string, Set<string>>();
  private readonly flights = new Map<string, Flight<T>>();
  /** Bumped when a subject acts: computations started before must not be cached or joined. */
  private readonly generations = new Map<string, number>();
  /** Computations not yet landed, including ones a newer computation replaced. */
  private live = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
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

  /**
   * The cached value, or the value of the computation already running for this key, or a new
   * computation's. Errors reach every caller waiting for that computation and are not cached.
   */
  async getOrCompute(subject: string, key: string, compute: () => Promise<Computed<T>>): Promise<T> {
    const e = this.entries.get(key);
    const now = this.now();
    if (e && e.expires > now) {
      if (e.refreshAfter <= now && !this.flights.has(key)) {
        e.refreshAfter = Infinity; // one refresh per entry
        // A failed refresh leaves the entry to expire; the next miss computes in the foreground.
        this.fly(subject, key, compute).promise.catch(() => undefined);
      }
      return e.value;
    }
    const generation = this.generations.get(subject) ?? 0;
    const flight = this.flights.get(key);
    const joined = flight && flight.generation === generation ? flight : this.fly(subject, key, compute);
    return (await joined.promise).value;
  }

  set(subject: string, key: string, value: T): void {
    if (this.ttlMs <= 0) return;
    this.delete(key);
    const now = this.now();
    const life = this.ttlMs * (1 - JITTER + 2 * JITTER * this.random());
    this.entries.set(key, { value, expires: now + life, refreshAfter: now + REFRESH_AFTER * life, subject });
    let keys = this.bySubject.get(subject);
    if (!keys) this.bySubject.set(subject, (keys = new Set()));
    keys.add(key);
    while (this.entries.size > this.maxEntries) this.delete(this.entries.keys().next().value as string);
  }

  /** Drops every answer cached for a subject ("u:<user>" or "s:<session>"). */
  invalidate(subject: string): number {
    if (this.live > 0) this.generations.set(subject, (this.generations.get(subject) ?? 0) + 1);
    const keys = [...(this.bySubject.get(subject) ?? [])];
    for (const k of keys) this.delete(k);
    return keys.length;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Computations running now (for tests and metrics). */
  get inFlight(): number {
    return this.flights.size;
  }

  private fly(subject: string, key: string, compute: () => Promise<Computed<T>>): Flight<T> {
    const generation = this.generations.get(subject) ?? 0;
    const promise = compute();
    const flight: Flight<T> = { promise, subject, generation };
    this.flights.set(key, flight);
    this.live++;
    const land = () => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
      if (--this.live === 0) this.generations.clear();
    };
    promise.then((c) => {
      // An answer computed before the subject acted is already stale.
      if (c.keep && (this.generations.get(subject) ?? 0) === generation) this.set(subject, key, c.value);
      land();
    }, land);
    return flight;
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

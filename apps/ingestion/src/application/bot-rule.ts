/**
 * The bot rule: more than `maxPerSecond` interactions from one user or session whose event times fall in
 * the same second are not human. Counting by event time (not arrival) keeps batched uploads from a
 * storefront back end from looking like bursts. State is per process and forgets seconds it has not
 * seen for `retentionMs` of wall time; with several replicas each counts its own share.
 */
export class BotRule {
  private readonly counts = new Map<string, { n: number; touched: number }>();
  private lastSweep = 0;

  constructor(
    private readonly maxPerSecond: number,
    private readonly retentionMs = 120_000,
  ) {}

  get enabled(): boolean {
    return this.maxPerSecond > 0;
  }

  /**
   * Which of these events (subject id, event time in ms) exceed the rule, counting what earlier
   * batches committed plus the events before them in this batch. Nothing is remembered until `commit`.
   */
  check(events: readonly { subject: string; atMs: number }[]): boolean[] {
    const local = new Map<string, number>();
    return events.map(({ subject, atMs }) => {
      const key = bucket(subject, atMs);
      const n = (local.get(key) ?? this.counts.get(key)?.n ?? 0) + 1;
      local.set(key, n);
      return this.enabled && n > this.maxPerSecond;
    });
  }

  /** Remembers events that were stored (after the commit, so a failed batch leaves no trace). */
  commit(events: readonly { subject: string; atMs: number }[], nowMs = Date.now()): void {
    if (!this.enabled) return;
    for (const { subject, atMs } of events) {
      const key = bucket(subject, atMs);
      const entry = this.counts.get(key);
      if (entry) {
        entry.n += 1;
        entry.touched = nowMs;
      } else this.counts.set(key, { n: 1, touched: nowMs });
    }
    if (nowMs - this.lastSweep > this.retentionMs / 4) this.sweep(nowMs);
  }

  private sweep(nowMs: number): void {
    this.lastSweep = nowMs;
    for (const [key, entry] of this.counts) if (nowMs - entry.touched > this.retentionMs) this.counts.delete(key);
  }
}

function bucket(subject: string, atMs: number): string {
  return `${Math.floor(atMs / 1000)}|${subject}`;
}

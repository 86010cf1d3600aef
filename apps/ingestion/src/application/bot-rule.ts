export interface BotEvent {
  /** `u:<userId>` or `s:<sessionId>`. */
  subject: string;
  atMs: number;
  /** The record's idempotency key: a resubmitted event is not a second event. */
  key: string;
}

/**
 * The bot rule: more than `maxPerSecond` interactions from one user or session whose event times fall in
 * the same second are not human. Counting by event time (not arrival) keeps batched uploads from a
 * storefront back end from looking like bursts, and counting distinct keys keeps a client's retry of a
 * batch from looking like a burst. State is per process and forgets seconds it has not seen for
 * `retentionMs` of wall time; with several replicas each counts its own share.
 */
export class BotRule {
  private readonly seen = new Map<string, { keys: Set<string>; touched: number }>();
  private lastSweep = 0;

  constructor(
    private readonly maxPerSecond: number,
    private readonly retentionMs = 120_000,
  ) {}

  get enabled(): boolean {
    return this.maxPerSecond > 0;
  }

  /**
   * Which of these events exceed the rule, counting what earlier batches stored plus the events before
   * them in this batch. Nothing is remembered until `commit`.
   */
  check(events: readonly BotEvent[]): boolean[] {
    const local = new Map<string, Set<string>>();
    return events.map(({ subject, atMs, key }) => {
      if (!this.enabled) return false;
      const bucket = bucketOf(subject, atMs);
      const stored = this.seen.get(bucket)?.keys;
      if (stored?.has(key)) return false; // a repeat: the store will count it as a duplicate
      let added = local.get(bucket);
      if (!added) local.set(bucket, (added = new Set()));
      added.add(key);
      return (stored?.size ?? 0) + added.size > this.maxPerSecond;
    });
  }

  /** Remembers events that were stored (after the commit, so a failed batch leaves no trace). */
  commit(events: readonly BotEvent[], nowMs = Date.now()): void {
    if (!this.enabled) return;
    for (const { subject, atMs, key } of events) {
      const bucket = bucketOf(subject, atMs);
      const entry = this.seen.get(bucket);
      if (entry) {
        entry.keys.add(key);
        entry.touched = nowMs;
      } else this.seen.set(bucket, { keys: new Set([key]), touched: nowMs });
    }
    if (nowMs - this.lastSweep > this.retentionMs / 4) this.sweep(nowMs);
  }

  private sweep(nowMs: number): void {
    this.lastSweep = nowMs;
    for (const [bucket, entry] of this.seen) if (nowMs - entry.touched > this.retentionMs) this.seen.delete(bucket);
  }
}

function bucketOf(subject: string, atMs: number): string {
  return `${Math.floor(atMs / 1000)}|${subject}`;
}

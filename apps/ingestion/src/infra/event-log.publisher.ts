import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { JetStreamClient, RawPublish } from '@app/platform/messaging';
import { DataSource } from 'typeorm';
import { IngestionConfig } from '../ingestion.config';

interface LogRow {
  record_key: string;
  subject: string;
  event: string;
  trace_parent: string | null;
  tx: string;
  seq: string;
}

export interface PublishLag {
  /** Accepted records not yet acknowledged by JetStream (estimated from sequence numbers). */
  records: number;
  /** Age of the oldest unpublished record; 0 when caught up. */
  seconds: number;
  /** Records published since the log began. */
  published: number;
}

/** Any number that is the same in every process, so only one publisher per database runs at a time. */
const PUBLISHER_LOCK = 0x1_4e6e_57;
const encoder = new TextEncoder();

/**
 * Tails `ingested_record` (the append-only log that is also the outbox) and publishes every row to
 * JetStream, in order, with the record key as msgId. The cursor (tx, seq) moves only after JetStream
 * acknowledged the whole round, in the same transaction that holds the publisher lock; a crash or a NATS
 * outage therefore repeats a round (de-duplicated by msgId) and never skips one. Rows of transactions
 * still running are left for a later round (tx ≥ snapshot xmin), so late commits are not lost.
 */
@Injectable()
export class EventLogPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EventLogPublisher');
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private failing = false;
  /** A nudge that came while a round was running: the next pause is skipped. */
  private nudged = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: JetStreamClient,
    @Inject(APP_CONFIG) private readonly config: IngestionConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Publish now rather than at the next poll (called after each commit). */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Resolves once everything committed before the call has been published (for the CLI and tests). */
  async drained(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lag = await this.lag();
      if (lag.records === 0) return;
      if (Date.now() > deadline) throw new Error(`publisher still ${lag.records} records behind after ${timeoutMs} ms`);
      this.nudge();
      await sleep(25);
    }
  }

  async lag(): Promise<PublishLag> {
    const [row] = (await this.dataSource.query(
      `SELECT c.published,
              (SELECT count(*) FROM (SELECT 1 FROM ingested_record r WHERE (r.tx, r.seq) > (c.tx, c.seq) LIMIT 100000) s) AS behind,
              (SELECT extract(epoch FROM now() - r.received_at) FROM ingested_record r
                WHERE (r.tx, r.seq) > (c.tx, c.seq) ORDER BY r.tx, r.seq LIMIT 1) AS oldest
         FROM publish_cursor c WHERE c.name = 'events'`,
    )) as { published: string; behind: string; oldest: string | null }[];
    return {
      records: Number(row?.behind ?? 0),
      seconds: Math.max(0, Number(row?.oldest ?? 0)),
      published: Number(row?.published ?? 0),
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.round();
        if (this.failing) this.logger.log('publishing again after a failure');
        this.failing = false;
      } catch (err) {
        if (!this.failing) this.logger.warn(`publish round failed, retrying: ${(err as Error).message}`);
        this.failing = true;
        await this.pause(this.config.INGESTION_PUBLISH_RETRY_MS);
        continue;
      }
      // A full round means more is waiting: go again at once.
      if (published < this.config.INGESTION_PUBLISH_BATCH_SIZE) await this.pause(this.config.INGESTION_PUBLISH_INTERVAL_MS);
    }
  }

  /** One transaction: take the lock, read the next rows, publish them, move the cursor. */
  private async round(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [lock] = (await runner.query(`SELECT pg_try_advisory_xact_lock($1) AS held`, [PUBLISHER_LOCK])) as {
        held: boolean;
      }[];
      if (!lock?.held) {
        await runner.commitTransaction();
        return 0;
      }
      const rows = (await runner.query(
        `SELECT r.record_key, r.subject, r.event::text AS event, r.trace_parent, r.tx::text AS tx, r.seq::text AS seq
           FROM ingested_record r, publish_cursor c
          WHERE c.name = 'events' AND (r.tx, r.seq) > (c.tx, c.seq)
            AND r.tx < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY r.tx, r.seq
          LIMIT $1`,
        [this.config.INGESTION_PUBLISH_BATCH_SIZE],
      )) as LogRow[];
      if (rows.length > 0) {
        await this.client.publishMany(rows.map(toMessage));
        const last = rows[rows.length - 1];
        await runner.query(
          `UPDATE publish_cursor SET tx = $1::xid8, seq = $2, published = published + $3, updated_at = now()
            WHERE name = 'events'`,
          [last.tx, last.seq, rows.length],
        );
      }
      await runner.commitTransaction();
      return rows.length;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private pause(ms: number): Promise<void> {
    if (!this.running || this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.nudged = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

function toMessage(row: LogRow): RawPublish {
  return {
    subjectSuffix: row.subject,
    body: encoder.encode(row.event),
    msgId: row.record_key,
    headers: row.trace_parent ? { traceparent: row.trace_parent } : undefined,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

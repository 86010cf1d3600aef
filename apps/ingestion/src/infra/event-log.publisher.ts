import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { JetStreamClient, MESSAGING_ATTRIBUTES, RawPublish } from '@app/platform/messaging';
import { producerContext, startPublishSpan } from '@app/platform/messaging/message.tracing';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { DataSource, QueryRunner } from 'typeorm';
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

/** Publish rounds awaiting their acknowledgements at once. */
const PUBLISH_WINDOW = 3;

/**
 * Tails `ingested_record` (the append-only log that is also the outbox) and publishes every row to
 * JetStream, in order, with the record key as msgId. One process per database publishes (it holds an
 * advisory lock). The cursor (tx, seq) moves only after JetStream acknowledged a whole round; a crash or
 * a NATS outage therefore repeats a round (de-duplicated by msgId) and never skips one. Rows of
 * transactions still running are left for a later round (tx ≥ snapshot xmin), so late commits are not lost.
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
      const leader = this.dataSource.createQueryRunner();
      try {
        await leader.connect();
        const [lock] = (await leader.query(`SELECT pg_try_advisory_lock($1) AS held`, [PUBLISHER_LOCK])) as {
          held: boolean;
        }[];
        if (!lock?.held) {
          // Another process (a replica, the import command) publishes; be ready to take over.
          await this.pause(Math.max(this.config.INGESTION_PUBLISH_INTERVAL_MS, 1000));
          continue;
        }
        await this.publishWhileLeader(leader);
      } catch (err) {
        if (!this.failing) this.logger.warn(`publishing failed, retrying: ${(err as Error).message}`);
        this.failing = true;
        await this.pause(this.config.INGESTION_PUBLISH_RETRY_MS);
      } finally {
        // Releasing the connection ends its session, and with it the lock.
        await leader.query(`SELECT pg_advisory_unlock($1)`, [PUBLISHER_LOCK]).catch(() => undefined);
        await leader.release().catch(() => undefined);
      }
    }
  }

  /**
   * Publishes while this process holds the publisher lock (a session lock: it goes with the connection
   * if this process dies). Up to PUBLISH_WINDOW rounds are in flight at once — on this machine a window
   * of 3 × 5,000 reaches about twice the rate of one round at a time — and the cursor moves round by
   * round, in order, each only after all of its acknowledgements are in.
   */
  private async publishWhileLeader(leader: QueryRunner): Promise<void> {
    const batch = this.config.INGESTION_PUBLISH_BATCH_SIZE;
    const [stored] = (await this.dataSource.query(
      `SELECT tx::text AS tx, seq::text AS seq FROM publish_cursor WHERE name = 'events'`,
    )) as { tx: string; seq: string }[];
    let sent = stored;
    const inFlight: { acked: Promise<unknown>; upTo: { tx: string; seq: string }; count: number }[] = [];
    while (this.running || inFlight.length > 0) {
      const rows = this.running ? await this.read(sent, batch) : [];
      if (rows.length > 0) {
        const last = rows[rows.length - 1];
        const { messages, spans } = this.traced(rows);
        const acked = this.client.publishMany(messages);
        // Awaited in order below, where a failure surfaces; here it only ends the spans.
        void acked.then(
          () => endSpans(spans),
          (err: unknown) => endSpans(spans, err),
        );
        sent = { tx: last.tx, seq: last.seq };
        inFlight.push({ acked, upTo: sent, count: rows.length });
      }
      while (inFlight.length >= PUBLISH_WINDOW || (rows.length < batch && inFlight.length > 0)) {
        const oldest = inFlight.shift()!;
        await oldest.acked;
        await this.dataSource.query(
          `UPDATE publish_cursor SET tx = $1::xid8, seq = $2, published = published + $3, updated_at = now()
            WHERE name = 'events' AND (tx, seq) < ($1::xid8, $2)`,
          [oldest.upTo.tx, oldest.upTo.seq, oldest.count],
        );
        if (this.failing) this.logger.log('publishing again after a failure');
        this.failing = false;
      }
      if (rows.length < batch && this.running) {
        await this.pause(this.config.INGESTION_PUBLISH_INTERVAL_MS);
        await leader.query('SELECT 1'); // still the leader: the session (and its lock) is alive
      }
    }
  }

  /**
   * Committed rows after the cursor, in log order, from transactions older than every running one.
   * The plan must walk the (tx, seq) index and stop at the limit; with a large backlog a bitmap scan
   * would sort everything after the cursor first, so the read runs with those plans switched off.
   */
  private async read(after: { tx: string; seq: string }, limit: number): Promise<LogRow[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(
        `SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off`,
      );
      // Qualified names: ORDER BY tx alone would sort by the text output column, not the xid8.
      const rows = (await runner.query(
        `SELECT r.record_key, r.subject, r.event::text AS event, r.trace_parent, r.tx::text AS tx, r.seq::text AS seq
           FROM ingested_record r
          WHERE (r.tx, r.seq) > ($1::xid8, $2::bigint) AND r.tx < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY r.tx, r.seq
          LIMIT $3`,
        [after.tx, after.seq, limit],
      )) as LogRow[];
      await runner.commitTransaction();
      return rows;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /**
   * The round's messages, each request's under a PRODUCER span of its own: a child of the request that
   * stored the rows (their `trace_parent`), so the publish shows in that request's trace, and whose context
   * the messages carry, so consumers continue (or link to) the publish. One span per request and subject,
   * not per row: a batch of a thousand interactions costs one span. Rows stored outside a trace get none.
   */
  private traced(rows: readonly LogRow[]): { messages: RawPublish[]; spans: Span[] } {
    interface Request {
      traceParent: string;
      subject: string;
      firstKey: string;
      count: number;
      headers?: Record<string, string>;
    }
    const requests = new Map<string, Request>();
    const keyOf = (row: LogRow) => (row.trace_parent ? `${row.trace_parent} ${row.subject}` : '');
    for (const row of rows) {
      if (!row.trace_parent) continue;
      const request = requests.get(keyOf(row));
      if (request) request.count += 1;
      else {
        requests.set(keyOf(row), {
          traceParent: row.trace_parent,
          subject: row.subject,
          firstKey: row.record_key,
          count: 1,
        });
      }
    }
    const spans: Span[] = [];
    for (const request of requests.values()) {
      const { span, traceHeaders } = startPublishSpan(
        this.client.names.subject(request.subject),
        request.count === 1
          ? { [MESSAGING_ATTRIBUTES.messageId]: request.firstKey }
          : { [MESSAGING_ATTRIBUTES.batchMessageCount]: request.count },
        producerContext({ traceparent: request.traceParent }),
      );
      request.headers = traceHeaders;
      spans.push(span);
    }
    const messages = rows.map((row): RawPublish => ({
      subjectSuffix: row.subject,
      body: encoder.encode(row.event),
      msgId: row.record_key,
      headers: requests.get(keyOf(row))?.headers,
    }));
    return { messages, spans };
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

function endSpans(spans: readonly Span[], err?: unknown): void {
  for (const span of spans) {
    if (err !== undefined) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    }
    span.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { context, propagation } from '@opentelemetry/api';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { JetStreamClient } from './jetstream.client';
import type { MessagingLogger } from './messaging.types';
import { silentLogger } from './messaging.logger';

/**
 * Transactional outbox: a service writes the event in the same transaction as the change it
 * describes, and a relay publishes it afterwards. A NATS outage delays events; it never loses them,
 * and a crash between publish and bookkeeping only republishes with the same msgId (de-duplicated by
 * JetStream within its window, by consumers' inboxes after it).
 */
export const OUTBOX_TABLE = 'messaging_outbox';

export class PlatformOutbox1763700000001 implements MigrationInterface {
  readonly name = 'PlatformOutbox1763700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
        id bigserial PRIMARY KEY,
        subject text NOT NULL,
        msg_id text NOT NULL,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text
      )`);
    // The relay only ever scans what is still to be sent, in order.
    await q.query(
      `CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_pending_idx ON ${OUTBOX_TABLE} (id) WHERE published_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS ${OUTBOX_TABLE}`);
  }
}

export interface OutboxMessage {
  /** Subject without namespace, e.g. `dss.v1.suggestion_changed`. */
  subject: string;
  msgId: string;
  payload: unknown;
  headers?: Record<string, string>;
}

/** Adds messages to the outbox inside the caller's transaction; the active trace context travels along. */
export async function enqueueOutbox(manager: EntityManager, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const values: unknown[] = [];
  const rows = messages.map((m, i) => {
    values.push(m.subject, m.msgId, JSON.stringify(m.payload), JSON.stringify({ ...m.headers, ...carrier }));
    return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}::jsonb, $${i * 4 + 4}::jsonb)`;
  });
  await manager.query(
    `INSERT INTO ${OUTBOX_TABLE} (subject, msg_id, payload, headers) VALUES ${rows.join(', ')}`,
    values,
  );
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Poll interval when idle; `nudge()` wakes the relay at once after a commit. */
  intervalMs?: number;
  /** Wait after a failed publish before trying again. */
  retryDelayMs?: number;
  /** Published rows are kept this long (for inspection), then deleted. */
  retentionMs?: number;
  logger?: MessagingLogger;
}

interface OutboxRow {
  id: string;
  subject: string;
  msg_id: string;
  payload: unknown;
  headers: Record<string, string>;
}

/** Publishes outbox rows in id order, one batch per transaction, skipping rows another relay holds. */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly retryDelayMs: number;
  private readonly retentionMs: number;
  private readonly logger: MessagingLogger;
  private running = false;
  private loop?: Promise<void>;
  private wake: (() => void) | undefined = undefined;
  private lastPrune = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: JetStreamClient,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.intervalMs = options.intervalMs ?? 500;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.retentionMs = options.retentionMs ?? 24 * 60 * 60 * 1000;
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publish soon: call after committing a transaction that enqueued messages. */
  nudge(): void {
    this.wake?.();
  }

  /** Stops after the batch in flight; what is left stays in the table for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
  }

  /** Messages not yet published (for metrics and health). */
  async backlog(): Promise<number> {
    const r: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM ${OUTBOX_TABLE} WHERE published_at IS NULL`,
    );
    return Number(r[0].n);
  }

  /** Publishes one batch; returns how many were published. Exposed for tests and CLIs. */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, subject, msg_id, payload, headers FROM ${OUTBOX_TABLE}
          WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      const published: string[] = [];
      try {
        for (const row of rows) {
          const parent = propagation.extract(context.active(), row.headers);
          const { traceparent: _tp, tracestate: _ts, ...headers } = row.headers;
          await context.with(parent, () =>
            this.client.publish(row.subject, row.payload, { msgId: row.msg_id, headers }),
          );
          published.push(row.id);
        }
      } finally {
        if (published.length > 0) {
          await manager.query(`UPDATE ${OUTBOX_TABLE} SET published_at = now() WHERE id = ANY($1::bigint[])`, [
            published,
          ]);
        }
      }
      return published.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.intervalMs;
      try {
        const n = await this.publishBatch();
        if (n === this.batchSize) delay = 0;
        await this.prune();
      } catch (err) {
        delay = this.retryDelayMs;
        this.logger.warn('outbox publish failed; will retry', { error: (err as Error).message });
        await this.recordFailure((err as Error).message).catch(() => undefined);
      }
      if (delay > 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private async recordFailure(message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${OUTBOX_TABLE} SET attempts = attempts + 1, last_error = $1
        WHERE id = (SELECT min(id) FROM ${OUTBOX_TABLE} WHERE published_at IS NULL)`,
      [message.slice(0, 1000)],
    );
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.dataSource.query(
      `DELETE FROM ${OUTBOX_TABLE} WHERE published_at IS NOT NULL AND published_at < now() - ($1::bigint * interval '1 millisecond')`,
      [this.retentionMs],
    );
  }
}

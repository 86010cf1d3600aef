import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { OUTBOX_TABLE } from '../messaging/outbox';
import { MetricsRegistry } from './metrics.registry';
import { cachedRead } from './scrape-cache';

/** What an outbox still has to publish. */
export interface OutboxBacklog {
  messages: number;
  /** Age of the oldest unpublished message; 0 when there is none. */
  oldestAgeSeconds: number;
}

/** The platform outbox (`messaging_outbox`, in every app's database): the outbox label it is reported under. */
export const PLATFORM_OUTBOX = 'messaging_outbox';

/** Reads the platform outbox's backlog: a count over the pending rows (a partial index holds exactly those). */
export function platformOutboxBacklog(dataSource: DataSource): () => Promise<OutboxBacklog> {
  return async () => {
    const rows: { n: string; age: string | null }[] = await dataSource.query(
      `SELECT count(*) AS n, EXTRACT(EPOCH FROM now() - min(created_at)) AS age
         FROM ${OUTBOX_TABLE} WHERE published_at IS NULL`,
    );
    return { messages: Number(rows[0].n), oldestAgeSeconds: Math.max(0, Number(rows[0].age ?? 0)) };
  };
}

/**
 * Outbox backlogs, one series per outbox: the platform's transactional outbox in every app, and any outbox
 * of an app's own (ingestion's event log) registered with `watch`. Read when scraped, at most once a second.
 */
@Injectable()
export class OutboxMetrics {
  private readonly sources = new Map<string, () => Promise<OutboxBacklog | undefined>>();

  constructor(metrics: MetricsRegistry) {
    const read = () => Promise.all([...this.sources].map(async ([outbox, r]) => ({ outbox, backlog: await r() })));
    metrics.gauge(
      'outbox_backlog_messages',
      'Messages stored but not yet acknowledged by JetStream',
      ['outbox'],
      async function () {
        for (const { outbox, backlog } of await read()) if (backlog) this.set({ outbox }, backlog.messages);
      },
    );
    metrics.gauge(
      'outbox_oldest_message_age_seconds',
      'Age of the oldest message not yet acknowledged by JetStream (0 when none)',
      ['outbox'],
      async function () {
        for (const { outbox, backlog } of await read()) if (backlog) this.set({ outbox }, backlog.oldestAgeSeconds);
      },
    );
  }

  /** Reports `outbox` from now on; `read` runs when Prometheus scrapes, at most once a second. */
  watch(outbox: string, read: () => Promise<OutboxBacklog>): this {
    this.sources.set(outbox, cachedRead(read));
    return this;
  }
}

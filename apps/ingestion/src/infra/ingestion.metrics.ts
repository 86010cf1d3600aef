import { Injectable } from '@nestjs/common';
import { MetricsRegistry, OutboxMetrics } from '@app/platform/metrics';
import type { RecordKind } from '../domain';
import type { RecordSource } from './record.repository';

export type RecordStatus = 'accepted' | 'duplicate' | 'quarantined';

/** The `outbox` label of the event log's backlog in the platform's outbox metrics. */
export const INGESTION_OUTBOX = 'ingestion_event_log';

export interface IngestionTotals {
  received: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
  /** Whole requests refused (malformed, oversized, database down). */
  rejectedRequests: number;
}

/** Counts and latencies of the ingestion pipeline, for Prometheus and the periodic stats log line. */
@Injectable()
export class IngestionMetrics {
  private readonly records;
  private readonly batchSeconds;
  private readonly rejected;
  readonly totals: IngestionTotals = { received: 0, accepted: 0, duplicates: 0, quarantined: 0, rejectedRequests: 0 };

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly outbox: OutboxMetrics,
  ) {
    this.records = metrics.counter('ingestion_records_total', 'Records by kind, source and outcome', [
      'kind',
      'source',
      'status',
    ]);
    this.batchSeconds = metrics.histogram('ingestion_batch_duration_seconds', 'Time to clean and store one batch', [
      'endpoint',
    ]);
    this.rejected = metrics.counter('ingestion_rejected_requests_total', 'Requests refused as a whole', [
      'endpoint',
      'code',
    ]);
  }

  recordBatch(
    endpoint: string,
    kind: RecordKind,
    source: RecordSource,
    counts: { accepted: number; duplicates: number; quarantined: number },
    seconds: number,
  ): void {
    this.batchSeconds.observe({ endpoint }, seconds);
    if (counts.accepted) this.records.inc({ kind, source, status: 'accepted' }, counts.accepted);
    if (counts.duplicates) this.records.inc({ kind, source, status: 'duplicate' }, counts.duplicates);
    if (counts.quarantined) this.records.inc({ kind, source, status: 'quarantined' }, counts.quarantined);
    this.totals.received += counts.accepted + counts.duplicates + counts.quarantined;
    this.totals.accepted += counts.accepted;
    this.totals.duplicates += counts.duplicates;
    this.totals.quarantined += counts.quarantined;
  }

  recordRejected(endpoint: string, code: string): void {
    this.rejected.inc({ endpoint, code });
    this.totals.rejectedRequests += 1;
  }

  /**
   * Publisher lag, read when Prometheus scrapes (one query per scrape for all its gauges). The event log is
   * ingestion's outbox, so the same figures are also reported as `outbox_backlog_messages{outbox="ingestion_event_log"}`
   * and `outbox_oldest_message_age_seconds{...}`, next to every app's platform outbox; the `ingestion_publish_lag_*`
   * names stay as they were.
   */
  watchLag(read: () => Promise<{ records: number; seconds: number; published: number }>): void {
    let last:
      { at: number; value: Promise<{ records: number; seconds: number; published: number } | undefined> } | undefined;
    const current = () => {
      if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), value: read().catch(() => undefined) };
      return last.value;
    };
    const gauge = (
      name: string,
      help: string,
      pick: (lag: { records: number; seconds: number; published: number }) => number,
    ) =>
      this.metrics.gauge(name, help, [], async function () {
        const lag = await current();
        if (lag) this.set(pick(lag));
      });
    gauge('ingestion_publish_lag_records', 'Accepted records not yet acknowledged by JetStream', (l) => l.records);
    gauge('ingestion_publish_lag_seconds', 'Age of the oldest unpublished record', (l) => l.seconds);
    gauge('ingestion_published_records', 'Records acknowledged by JetStream since the log began', (l) => l.published);
    this.outbox.watch(INGESTION_OUTBOX, async () => {
      const lag = await current();
      if (!lag) throw new Error('publish lag unavailable');
      return { messages: lag.records, oldestAgeSeconds: lag.seconds };
    });
  }
}

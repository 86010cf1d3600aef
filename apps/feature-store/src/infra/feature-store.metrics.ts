import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@app/platform/metrics';

/** How the stream is being applied, per consumer (features, neighbours), for Prometheus (GET /metrics). */
@Injectable()
export class FeatureStoreMetrics {
  private readonly events;
  private readonly batchSeconds;
  private readonly freshness;
  private readonly position;

  constructor(metrics: MetricsRegistry) {
    this.events = metrics.counter(
      'feature_store_events_total',
      'Stream messages by outcome: applied, skipped (repeat, erased user or a subject the consumer ignores), rejected (DLQ)',
      ['consumer', 'outcome'],
    );
    this.batchSeconds = metrics.histogram(
      'feature_store_batch_duration_seconds',
      'Time to apply one batch (one transaction)',
      ['consumer'],
    );
    this.freshness = metrics.gauge(
      'feature_store_apply_delay_seconds',
      'Time between the stream storing the newest applied message and its effects being committed',
      ['consumer'],
    );
    this.position = metrics.gauge(
      'feature_store_applied_stream_sequence',
      'Stream sequence of the newest applied message',
      ['consumer'],
    );
  }

  recordBatch(
    consumer: string,
    messages: number,
    applied: number,
    rejected: number,
    seconds: number,
    lastSeq: number,
    lastStoredAt: Date,
  ): void {
    this.batchSeconds.observe({ consumer }, seconds);
    if (applied) this.events.inc({ consumer, outcome: 'applied' }, applied);
    if (rejected) this.events.inc({ consumer, outcome: 'rejected' }, rejected);
    const skipped = messages - applied - rejected;
    if (skipped > 0) this.events.inc({ consumer, outcome: 'skipped' }, skipped);
    this.position.set({ consumer }, lastSeq);
    this.freshness.set({ consumer }, Math.max(0, (Date.now() - lastStoredAt.getTime()) / 1000));
  }
}

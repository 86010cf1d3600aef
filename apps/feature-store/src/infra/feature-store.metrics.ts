import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@app/platform/metrics';

/** How the stream is being applied, for Prometheus (GET /metrics). */
@Injectable()
export class FeatureStoreMetrics {
  private readonly events;
  private readonly batchSeconds;
  private readonly freshness;
  private readonly position;

  constructor(metrics: MetricsRegistry) {
    this.events = metrics.counter(
      'feature_store_events_total',
      'Stream messages by outcome: applied, skipped (repeat, erased user or a subject the store ignores), rejected (DLQ)',
      ['outcome'],
    );
    this.batchSeconds = metrics.histogram(
      'feature_store_batch_duration_seconds',
      'Time to apply one batch (one transaction)',
    );
    this.freshness = metrics.gauge(
      'feature_store_apply_delay_seconds',
      'Time between the stream storing the newest applied message and its features being committed',
    );
    this.position = metrics.gauge(
      'feature_store_applied_stream_sequence',
      'Stream sequence of the newest applied message',
    );
  }

  recordBatch(
    messages: number,
    applied: number,
    rejected: number,
    seconds: number,
    lastSeq: number,
    lastStoredAt: Date,
  ): void {
    this.batchSeconds.observe(seconds);
    if (applied) this.events.inc({ outcome: 'applied' }, applied);
    if (rejected) this.events.inc({ outcome: 'rejected' }, rejected);
    if (messages - applied - rejected > 0) this.events.inc({ outcome: 'skipped' }, messages - applied - rejected);
    this.position.set(lastSeq);
    this.freshness.set(Math.max(0, (Date.now() - lastStoredAt.getTime()) / 1000));
  }
}

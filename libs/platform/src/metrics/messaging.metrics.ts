import { Injectable } from '@nestjs/common';
import type { ConsumeOutcome, ConsumerLag, ConsumerObserver } from '../messaging/messaging.types';
import type { CounterChild, HistogramChild } from './bound-metrics';
import { LATENCY_BUCKETS, MetricsRegistry } from './metrics.registry';
import { cachedRead } from './scrape-cache';

/** Messages per batch handler call, from a lone message to the largest batches. */
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000];

/** What MessagingMetrics reads: JetStreamClient. */
export interface ConsumerSource {
  observeConsumers(observer: ConsumerObserver): void;
  consumerLags(): Promise<ConsumerLag[]>;
}

interface ConsumerChildren {
  ack: CounterChild;
  retry: CounterChild;
  dead_letter: CounterChild;
  deadLetters: CounterChild;
  batchSize: HistogramChild;
  batchOk: HistogramChild;
  batchFailed: HistogramChild;
}

/**
 * Per durable consumer: what happened to its messages (counted as they are settled), how large and how
 * long its batches are, and how far behind it is (read from the server's consumer info when scraped,
 * one request per consumer, shared by the scrapes of one second).
 */
@Injectable()
export class MessagingMetrics implements ConsumerObserver {
  private readonly processedTotal;
  private readonly deadLetterTotal;
  private readonly batchSize;
  private readonly batchSeconds;
  private readonly byConsumer = new Map<string, ConsumerChildren>();
  private lags: () => Promise<ConsumerLag[] | undefined> = () => Promise.resolve(undefined);

  constructor(metrics: MetricsRegistry) {
    this.processedTotal = metrics.boundCounter(
      'messaging_consumer_processed_total',
      'Messages a durable consumer settled: ack (handled), retry (handler failed, redelivered later), dead_letter (parked on the DLQ)',
      ['consumer', 'outcome'],
    );
    this.deadLetterTotal = metrics.boundCounter(
      'messaging_dead_letter_total',
      'Messages a durable consumer parked on the dead-letter stream',
      ['consumer'],
    );
    this.batchSize = metrics.boundHistogram(
      'messaging_consumer_batch_size',
      'Messages per batch handler call',
      ['consumer'],
      BATCH_SIZE_BUCKETS,
    );
    this.batchSeconds = metrics.boundHistogram(
      'messaging_consumer_batch_duration_seconds',
      'Time of one batch handler call, by result (ok, failed)',
      ['consumer', 'result'],
      LATENCY_BUCKETS,
    );
    const lags = () => this.lags();
    metrics.gauge(
      'messaging_consumer_pending_messages',
      'Messages the server holds for a durable consumer that it has not delivered yet (lag)',
      ['consumer', 'stream'],
      async function () {
        const current = await lags();
        if (!current) return;
        this.reset();
        for (const l of current) this.set({ consumer: l.durable, stream: l.stream }, l.pending);
      },
    );
    metrics.gauge(
      'messaging_consumer_ack_pending_messages',
      'Messages delivered to a durable consumer and not acknowledged yet',
      ['consumer', 'stream'],
      async function () {
        const current = await lags();
        if (!current) return;
        this.reset();
        for (const l of current) this.set({ consumer: l.durable, stream: l.stream }, l.ackPending);
      },
    );
  }

  /** Starts observing the consumers of `client` and reading their lag when scraped. */
  watch(client: ConsumerSource): this {
    client.observeConsumers(this);
    this.lags = cachedRead(() => client.consumerLags());
    return this;
  }

  processed(durable: string, outcome: ConsumeOutcome, count: number): void {
    if (count <= 0) return;
    const c = this.children(durable);
    c[outcome].inc(count);
    if (outcome === 'dead_letter') c.deadLetters.inc(count);
  }

  batchHandled(durable: string, size: number, seconds: number, ok: boolean): void {
    const c = this.children(durable);
    c.batchSize.observe(size);
    (ok ? c.batchOk : c.batchFailed).observe(seconds);
  }

  private children(consumer: string): ConsumerChildren {
    let c = this.byConsumer.get(consumer);
    if (!c) {
      const outcome = (o: ConsumeOutcome) => this.processedTotal.labels({ consumer, outcome: o });
      c = {
        ack: outcome('ack'),
        retry: outcome('retry'),
        dead_letter: outcome('dead_letter'),
        deadLetters: this.deadLetterTotal.labels({ consumer }),
        batchSize: this.batchSize.labels({ consumer }),
        batchOk: this.batchSeconds.labels({ consumer, result: 'ok' }),
        batchFailed: this.batchSeconds.labels({ consumer, result: 'failed' }),
      };
      this.byConsumer.set(consumer, c);
    }
    return c;
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EVENT_CATALOGUE } from '@app/contracts/events';
import { APP_CONFIG } from '@app/platform/config';
import { ConsumerHandle, JetStreamClient, ReceivedMessage } from '@app/platform/messaging';
import { QueryRunner } from 'typeorm';
import { ApplyOutcome, FeatureApplier, StreamMessage } from '../application/feature-applier.service';
import { FeatureStoreConfig } from '../feature-store.config';
import { FeatureStoreMetrics } from '../infra/feature-store.metrics';
import { FeatureRepository } from '../infra/feature.repository';

/** Session advisory lock held by the one process that applies the stream. */
const WRITER_LOCK = 0x46_53_57_52; // "FSWR"
const STREAM = EVENT_CATALOGUE['events.v1.interaction'].stream;
const LEADER_RETRY_MS = 5_000;

/**
 * The stream entry point: one durable consumer of the whole EVENTS stream (nats-server 2.9 allows a
 * single filter; unused subjects are acked), applied in stream order, a batch per transaction, by the
 * one replica holding the writer lock — the others stand by and take over if it goes.
 */
@Injectable()
export class FeatureEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeatureEventsConsumer.name);
  private running = false;
  private handles: ConsumerHandle[] = [];
  private loop?: Promise<void>;
  private wake: () => void = () => undefined;

  constructor(
    private readonly client: JetStreamClient,
    private readonly applier: FeatureApplier,
    private readonly repo: FeatureRepository,
    private readonly metrics: FeatureStoreMetrics,
    @Inject(APP_CONFIG) private readonly config: FeatureStoreConfig,
  ) {}

  get durable(): string {
    return this.config.FEATURE_STORE_DURABLE;
  }

  /** The durable consumers: the history and online views, and the neighbours (each in stream order). */
  get durables(): string[] {
    return [this.durable, `${this.durable}-neighbours`];
  }

  onApplicationBootstrap(): void {
    if (!this.config.FEATURE_STORE_CONSUMER_ENABLED) return;
    this.running = true;
    this.loop = this.lead();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /**
   * Rebuilds the store from the stream: empties it, restarts the durable consumer from the stream's
   * first message and applies everything up to the stream's end as it is now. Needs the writer lock
   * (stop or disable the consuming replica first).
   */
  async rebuild(onProgress?: (applied: number, lastSeq: number) => void, waitForLockMs = 30_000): Promise<number> {
    const lock = await this.acquire(waitForLockMs);
    if (!lock) {
      throw new Error(
        'another process holds the feature-store writer lock: stop it or set FEATURE_STORE_CONSUMER_ENABLED=false first',
      );
    }
    try {
      await this.repo.truncateDerived();
      for (const d of this.durables) await this.client.deleteConsumer(STREAM, d);
      const handles = await this.startConsumers();
      try {
        for (;;) {
          let done = true;
          let applied = Infinity;
          let lastSeq = 0;
          for (const d of this.durables) {
            const p = await this.client.consumerProgress(STREAM, d);
            const pos = await this.repo.position(d);
            applied = Math.min(applied, pos?.applied ?? 0);
            lastSeq = p?.lastSeq ?? 0;
            done &&= !!p && p.pending === 0 && p.ackPending === 0 && (pos?.lastSeq ?? 0) >= p.ackFloor;
          }
          onProgress?.(applied, lastSeq);
          if (done) return applied;
          await sleep(250);
        }
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    } finally {
      await release(lock);
    }
  }

  private async lead(): Promise<void> {
    while (this.running) {
      const lock = await this.acquire(0).catch((err: Error) => {
        this.logger.warn(`cannot reach the database for the writer lock: ${err.message}`);
        return undefined;
      });
      if (!lock) {
        await this.pause(LEADER_RETRY_MS);
        continue;
      }
      try {
        this.handles = await this.startConsumers();
        this.logger.log('applying the event stream (writer lock held)');
        // Hold the lock while the connection lives; check it now and then.
        while (this.running) {
          await this.pause(LEADER_RETRY_MS);
          await lock.query('SELECT 1');
        }
      } catch (err) {
        this.logger.warn(`stream consumer stopped: ${(err as Error).message}`);
        await this.pause(LEADER_RETRY_MS);
      } finally {
        await Promise.all(this.handles.map((h) => h.close()));
        this.handles = [];
        await release(lock);
      }
    }
  }

  private async startConsumers(): Promise<ConsumerHandle[]> {
    const [features, neighbours] = this.durables;
    return [
      await this.startConsumer(features, (d, m) => this.applier.applyBatch(d, m)),
      await this.startConsumer(neighbours, (d, m) => this.applier.applyNeighbours(d, m)),
    ];
  }

  private startConsumer(
    durable: string,
    apply: (durable: string, messages: StreamMessage[]) => Promise<ApplyOutcome>,
  ): Promise<ConsumerHandle> {
    const batchSize = this.config.FEATURE_STORE_BATCH_SIZE;
    return this.client.consumeBatches({
      stream: STREAM,
      durable,
      batchSize,
      maxAckPending: batchSize * 4,
      maxDeliver: this.config.NATS_MAX_DELIVER,
      handler: async (messages: readonly ReceivedMessage<unknown>[]) => {
        const started = performance.now();
        const outcome = await apply(
          durable,
          messages.map((m) => ({ seq: m.seq, subject: m.subjectSuffix, data: m.data })),
        );
        const last = messages[messages.length - 1];
        this.metrics.recordBatch(
          durable,
          messages.length,
          outcome.applied,
          outcome.rejected.length,
          (performance.now() - started) / 1000,
          last.seq,
          last.publishedAt,
        );
        return { rejected: outcome.rejected };
      },
    });
  }

  /** The writer lock on a connection of its own, or undefined if another process holds it. */
  private async acquire(waitMs: number): Promise<QueryRunner | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const runner = this.repo.dataSource.createQueryRunner();
      await runner.connect();
      const [row] = (await runner.query(`SELECT pg_try_advisory_lock($1) AS held`, [WRITER_LOCK])) as {
        held: boolean;
      }[];
      if (row?.held) return runner;
      await runner.release();
      if (Date.now() >= deadline) return undefined;
      await sleep(500);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

async function release(lock: QueryRunner): Promise<void> {
  await lock.query('SELECT pg_advisory_unlock($1)', [WRITER_LOCK]).catch(() => undefined);
  await lock.release().catch(() => undefined);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

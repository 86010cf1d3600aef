import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EVENT_CATALOGUE } from '@app/contracts/events';
import { APP_CONFIG } from '@app/platform/config';
import { ConsumerHandle, JetStreamClient, ReceivedMessage } from '@app/platform/messaging';
import { FeedbackService } from '../application/feedback.service';
import { ExperimentRepository } from '../infra/experiment.repository';
import { RecommendationConfig } from '../recommendation.config';

const SUBJECT = 'events.v1.interaction';
const STREAM = EVENT_CATALOGUE[SUBJECT].stream;
const BATCH_SIZE = 200;
const RETRY_MS = 5_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Event ids are remembered this long: far beyond any redelivery (minutes) or dead-letter replay (days). */
const REMEMBER_EVENTS_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Feedback for experiments: a durable consumer of cleaned interaction events. Every replica pulls
 * from the same durable (the server shares the messages out); counting is idempotent by event id, so
 * order across replicas does not matter.
 */
@Injectable()
export class FeedbackConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedbackConsumer.name);
  private handle?: ConsumerHandle;
  private starting?: Promise<void>;
  private closed = false;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly client: JetStreamClient,
    private readonly feedback: FeedbackService,
    private readonly repo: ExperimentRepository,
    @Inject(APP_CONFIG) private readonly config: RecommendationConfig,
  ) {}

  get durable(): string {
    return this.config.RECOMMENDATION_FEEDBACK_DURABLE;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.starting = this.start();
    await this.starting;
    const prune = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    prune.unref();
    this.timers.push(prune);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await this.starting;
    await this.handle?.close();
  }

  /** Starts the consumer, retrying in the background if NATS refuses (the app still serves). */
  private async start(): Promise<void> {
    if (this.closed) return;
    try {
      this.handle = await this.client.consumeBatches({
        stream: STREAM,
        durable: this.durable,
        filterSubjects: [SUBJECT],
        batchSize: BATCH_SIZE,
        maxAckPending: BATCH_SIZE * 4,
        maxDeliver: this.config.NATS_MAX_DELIVER,
        handler: (messages: readonly ReceivedMessage<unknown>[]) =>
          this.feedback.countBatch(messages.map((m) => ({ seq: m.seq, data: m.data }))),
      });
    } catch (err) {
      this.logger.warn(`cannot start the feedback consumer, retrying: ${(err as Error).message}`);
      const retry = setTimeout(() => void (this.starting = this.start()), RETRY_MS);
      retry.unref();
      this.timers.push(retry);
    }
  }

  private async prune(): Promise<void> {
    try {
      await this.repo.pruneFeedbackEvents(new Date(Date.now() - REMEMBER_EVENTS_MS));
    } catch (err) {
      this.logger.warn(`cannot prune counted feedback events: ${(err as Error).message}`);
    }
  }
}

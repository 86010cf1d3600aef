import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_CATALOGUE } from '@app/contracts/events';
import { APP_CONFIG } from '@app/platform/config';
import { JetStreamClient, ReceivedMessage } from '@app/platform/messaging';
import { TrainingRunService } from '../application/training-run.service';
import type { TrainingConfig } from '../training.config';

const SUBJECT = 'events.v1.interaction';
export const NEW_EVENTS_DURABLE = 'training-new-events';

/**
 * NATS entry point of the "enough new data" trigger: counts cleaned interaction events. Counting needs no inbox:
 * a redelivered event counted twice only starts a run a little early.
 */
@Injectable()
export class NewEventsConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('NewEvents');

  constructor(
    private readonly client: JetStreamClient,
    private readonly runs: TrainingRunService,
    @Inject(APP_CONFIG) private readonly config: TrainingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.TRAINING_MIN_NEW_EVENTS === 0) return;
    await this.client.consume({
      stream: EVENT_CATALOGUE[SUBJECT].stream,
      durable: NEW_EVENTS_DURABLE,
      filterSubjects: [SUBJECT],
      maxDeliver: this.config.NATS_MAX_DELIVER,
      concurrency: 1,
      prefetch: 64,
      handler: async (m: ReceivedMessage<unknown>) => {
        const run = await this.runs.onInteractionEvent(m.publishedAt);
        if (run) this.logger.log({ msg: 'new-data run requested', runId: run.runId });
      },
    });
  }
}

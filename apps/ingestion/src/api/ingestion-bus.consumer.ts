import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_CATALOGUE } from '@app/contracts/events';
import { APP_CONFIG, PlatformConfig } from '@app/platform/config';
import { JetStreamClient, NonRetryableError, ReceivedMessage } from '@app/platform/messaging';
import { IngestService } from '../application/ingest.service';

const SUBJECT = 'ingest.v1.submission';

/**
 * NATS entry point for producers that prefer the bus: each submission is validated like a REST or gRPC
 * batch (bad records to quarantine, repeats counted as duplicates) and acknowledged after the commit.
 * A redelivered submission only finds duplicates. A payload that is not a submission goes to the DLQ.
 */
@Injectable()
export class IngestionBusConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly client: JetStreamClient,
    private readonly ingest: IngestService,
    @Inject(APP_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.client.consume({
      stream: EVENT_CATALOGUE[SUBJECT].stream,
      durable: 'ingestion-submissions',
      filterSubjects: [SUBJECT],
      maxDeliver: this.config.NATS_MAX_DELIVER,
      concurrency: 1,
      handler: async (msg: ReceivedMessage<unknown>) => {
        const parsed = EVENT_CATALOGUE[SUBJECT].schema.safeParse(msg.data);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new NonRetryableError(
            `not a submission: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`,
          );
        }
        const { kind, records } = parsed.data;
        const size = this.ingest.maxBatchSize;
        for (let start = 0; start < records.length; start += size) {
          await this.ingest.ingest(kind, records.slice(start, start + size), {
            source: 'nats',
            endpoint: 'nats.submission',
            firstIndex: start,
          });
        }
      },
    });
  }
}

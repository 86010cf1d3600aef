import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_CATALOGUE, EventSubject } from '@app/contracts/events';
import { ConsumerHandle, JetStreamClient, NonRetryableError, ReceivedMessage } from '@app/platform/messaging';
import { APP_CONFIG, PlatformConfig } from '@app/platform/config';
import { DemandIngestService } from '../application/demand-ingest.service';

type Handler = (consumer: string, msgId: string, payload: never) => Promise<boolean>;

/**
 * NATS entry points: one durable consumer per subject the DSS needs (nats-server 2.9 allows one
 * filter per consumer). A payload that breaks its schema can never succeed: it goes to the DLQ.
 */
@Injectable()
export class DssEventsConsumer implements OnApplicationBootstrap {
  private readonly handles: ConsumerHandle[] = [];

  constructor(
    private readonly client: JetStreamClient,
    private readonly ingest: DemandIngestService,
    @Inject(APP_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const routes: [EventSubject, string, Handler][] = [
      ['sales.v1.line', 'dss-sales', (c, id, p) => this.ingest.salesLine(c, id, p)],
      ['stock.v1.position', 'dss-stock', (c, id, p) => this.ingest.stockPosition(c, id, p)],
      ['supply.v1.parameters', 'dss-supply', (c, id, p) => this.ingest.supplyParameters(c, id, p)],
      ['catalog.v1.item', 'dss-catalog', (c, id, p) => this.ingest.item(c, id, p)],
    ];
    for (const [subject, durable, handle] of routes) {
      this.handles.push(
        await this.client.consume({
          stream: EVENT_CATALOGUE[subject].stream,
          durable,
          filterSubjects: [subject],
          maxDeliver: this.config.NATS_MAX_DELIVER,
          concurrency: 1,
          handler: async (msg: ReceivedMessage<unknown>) => {
            const parsed = EVENT_CATALOGUE[subject].schema.safeParse(msg.data);
            if (!parsed.success) {
              throw new NonRetryableError(`payload breaks ${subject}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
            }
            await handle(durable, msg.msgId, parsed.data as never);
          },
        }),
      );
    }
  }
}

import { Test } from '@nestjs/testing';
import { TEST_NATS_URL } from '@app/testing';
import { JetStreamClient } from './jetstream.client';
import { MessagingModule } from './messaging.module';
import { EVENTS_STREAM, MessagingTestBed } from './testing/messaging.test-kit';

describe(MessagingModule.name, () => {
  let bed: MessagingTestBed;

  beforeEach(() => {
    bed = new MessagingTestBed('nest');
  });

  afterEach(async () => {
    await bed.cleanup();
  });

  it('provides a connected client with provisioned streams and closes it on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRootAsync({
          useFactory: () => ({
            url: TEST_NATS_URL,
            namespace: bed.namespace,
            name: 'nest-test',
            streams: [EVENTS_STREAM],
            deadLetter: { storage: 'memory' },
            logger: bed.logger,
          }),
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();

    const client = app.get(JetStreamClient);
    expect(await client.isHealthy()).toBe(true);
    expect((await client.publish('events.v1.interaction', { a: 1 }, { msgId: 'n1' })).duplicate).toBe(false);
    expect(await bed.streamMessageCount('EVENTS')).toBe(1);
    expect(await bed.streamMessageCount('DLQ')).toBe(0);

    await app.close();
    expect(client.isClosed()).toBe(true);
  });
});

import { DynamicModule, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { platformConfigSchema } from '@app/platform/config';
import { JetStreamClient } from '@app/platform/messaging';
import { PlatformModule } from '@app/platform/platform';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { scrape, select, total } from './prometheus-text';

/** A durable consumer whose handler waits for the test to open the gate, and a batch consumer that fails once. */
@Injectable()
class GatedConsumers implements OnApplicationBootstrap {
  started = 0;
  batchCalls = 0;
  open: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  constructor(private readonly client: JetStreamClient) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.client.consume({
      stream: 'EVENTS',
      durable: 'ops-gated',
      filterSubjects: ['events.v1.interaction'],
      handler: async () => {
        this.started++;
        await this.gate;
      },
    });
    await this.client.consumeBatches({
      stream: 'EVENTS',
      durable: 'ops-batches',
      filterSubjects: ['catalog.v1.item'],
      batchSize: 50,
      retryDelaysMs: [10],
      handler: async (messages) => {
        if (this.batchCalls++ === 0) throw new Error('database down');
        const bad = messages.filter((m) => (m.data as { bad?: boolean }).bad);
        return { rejected: bad.map((m) => ({ seq: m.seq, reason: 'broken' })) };
      },
    });
  }
}

@Module({})
class GatedConsumersModule {
  static register(env: Record<string, string>): DynamicModule {
    return {
      module: GatedConsumersModule,
      imports: [PlatformModule.forRoot({ app: 'dss', schema: platformConfigSchema('dss'), env })],
      providers: [GatedConsumers],
    };
  }
}

describe('consumer metrics (real NATS)', () => {
  let t: TestApp;
  let consumers: GatedConsumers;

  beforeAll(async () => {
    t = await startTestApp('dss', (env) => GatedConsumersModule.register(env));
    consumers = t.app.app.get(GatedConsumers);
  });

  afterAll(async () => {
    consumers?.open();
    await t?.close();
  });

  it('shows a consumer lag above 0 while messages wait, and 0 once they are consumed', async () => {
    for (let i = 0; i < 6; i++) await t.bus.publish('events.v1.interaction', { n: i }, { msgId: `gated-${i}` });
    await eventually(
      async () => consumers.started,
      (n) => n === 1,
      'the first message to reach the (blocked) handler',
    );
    const lagging = await eventually(
      () => scrape(t.app.httpUrl),
      (s) => total(s.samples, 'messaging_consumer_pending_messages', { consumer: 'ops-gated' }) > 0,
      'a lag above 0 while the handler is blocked',
    );
    expect(
      total(lagging.samples, 'messaging_consumer_ack_pending_messages', { consumer: 'ops-gated' }),
    ).toBeGreaterThan(0);
    expect(total(lagging.samples, 'messaging_consumer_processed_total', { consumer: 'ops-gated' })).toBe(0);

    consumers.open();
    const caughtUp = await eventually(
      () => scrape(t.app.httpUrl),
      (s) =>
        total(s.samples, 'messaging_consumer_processed_total', { consumer: 'ops-gated', outcome: 'ack' }) === 6 &&
        total(s.samples, 'messaging_consumer_pending_messages', { consumer: 'ops-gated' }) === 0 &&
        total(s.samples, 'messaging_consumer_ack_pending_messages', { consumer: 'ops-gated' }) === 0,
      'the consumer to catch up',
    );
    expect(select(caughtUp.samples, 'messaging_consumer_pending_messages', { consumer: 'ops-gated' })).toHaveLength(1);
    expect(total(caughtUp.samples, 'messaging_dead_letter_total', { consumer: 'ops-gated' })).toBe(0);
  });

  it('counts batches (size, duration by result), retried messages and dead letters of a batch consumer', async () => {
    for (let i = 0; i < 5; i++) {
      await t.bus.publish('catalog.v1.item', { n: i, bad: i === 2 }, { msgId: `batch-${i}` });
    }
    const { samples } = await eventually(
      () => scrape(t.app.httpUrl),
      (s) => total(s.samples, 'messaging_consumer_processed_total', { consumer: 'ops-batches', outcome: 'ack' }) >= 4,
      'the batch consumer to commit',
    );
    const processed = (outcome: string) =>
      total(samples, 'messaging_consumer_processed_total', { consumer: 'ops-batches', outcome });
    expect(processed('ack')).toBe(4);
    expect(processed('dead_letter')).toBe(1);
    expect(total(samples, 'messaging_dead_letter_total', { consumer: 'ops-batches' })).toBe(1);
    // The first call threw: its messages count as retried, and its duration under result="failed".
    const batches = total(samples, 'messaging_consumer_batch_size_count', { consumer: 'ops-batches' });
    expect(batches).toBe(consumers.batchCalls);
    expect(
      total(samples, 'messaging_consumer_batch_duration_seconds_count', { consumer: 'ops-batches', result: 'failed' }),
    ).toBe(1);
    expect(
      total(samples, 'messaging_consumer_batch_duration_seconds_count', { consumer: 'ops-batches', result: 'ok' }),
    ).toBe(batches - 1);
    expect(processed('retry')).toBe(
      select(samples, 'messaging_consumer_batch_size_sum', { consumer: 'ops-batches' })[0].value - 5,
    );
  });
});

import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { openDataSource, runMigrations } from '../database/data-source.factory';
import { PlatformInbox1763700000000 } from './inbox';
import { JetStreamClient } from './jetstream.client';
import { enqueueOutbox, OUTBOX_TABLE, OutboxRelay, PlatformOutbox1763700000001 } from './outbox';
import { MessagingTestBed, waitFor } from './testing/messaging.test-kit';

describe(OutboxRelay.name, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let bed: MessagingTestBed;
  let client: JetStreamClient;

  beforeEach(async () => {
    db = await createTestDatabase('outbox');
    ds = await openDataSource({
      url: db.url,
      applicationName: 'test',
      entities: [],
      migrations: [PlatformInbox1763700000000, PlatformOutbox1763700000001],
    });
    await runMigrations(ds);
    bed = new MessagingTestBed('outbox');
    client = await bed.client();
  });

  afterEach(async () => {
    await bed.cleanup();
    await ds.destroy();
    await db.drop();
  });

  const events = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({
      subject: 'events.v1.test',
      msgId: `m${from + i}`,
      payload: { n: from + i },
    }));

  it('publishes nothing of a transaction that rolled back', async () => {
    await expect(
      ds.transaction(async (m) => {
        await enqueueOutbox(m, events(2));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const relay = new OutboxRelay(ds, client);
    expect(await relay.publishBatch()).toBe(0);
    expect(await bed.streamMessageCount('EVENTS')).toBe(0);
  });

  it('publishes committed messages in order, once, and marks them', async () => {
    await ds.transaction((m) => enqueueOutbox(m, events(3)));
    const relay = new OutboxRelay(ds, client);
    expect(await relay.backlog()).toBe(3);
    expect(await relay.publishBatch()).toBe(3);
    expect(await relay.publishBatch()).toBe(0);
    expect(await relay.backlog()).toBe(0);
    expect(await bed.streamMessageCount('EVENTS')).toBe(3);
    const payloads = await Promise.all(
      [1, 2, 3].map(async (seq) => JSON.parse((await bed.storedMessage('EVENTS', seq)).string())),
    );
    expect(payloads).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  });

  it('keeps messages while NATS is unreachable and sends them when it is back', async () => {
    await ds.transaction((m) => enqueueOutbox(m, events(4)));
    await client.close();
    const down = new OutboxRelay(ds, client);
    await expect(down.publishBatch()).rejects.toThrow();
    expect(await down.backlog()).toBe(4);

    const back = await bed.client();
    const relay = new OutboxRelay(ds, back, { intervalMs: 20 });
    relay.start();
    await waitFor(async () => (await relay.backlog()) === 0, 10_000, 'outbox drained');
    await relay.stop();
    expect(await bed.streamMessageCount('EVENTS')).toBe(4);
  });

  it('does not duplicate when a batch is published again after a crash before bookkeeping', async () => {
    await ds.transaction((m) => enqueueOutbox(m, events(2)));
    const relay = new OutboxRelay(ds, client);
    await relay.publishBatch();
    // Simulate a crash between publish and commit: the rows look unpublished again.
    await ds.query(`UPDATE ${OUTBOX_TABLE} SET published_at = NULL`);
    expect(await relay.publishBatch()).toBe(2);
    expect(await bed.streamMessageCount('EVENTS')).toBe(2);
  });

  it('wakes up at once when nudged', async () => {
    const relay = new OutboxRelay(ds, client, { intervalMs: 60_000 });
    relay.start();
    await new Promise((r) => setTimeout(r, 50));
    await ds.transaction((m) => enqueueOutbox(m, events(1, 10)));
    relay.nudge();
    // The poll interval is a minute: only the nudge can make this happen within two seconds.
    await waitFor(async () => (await bed.streamMessageCount('EVENTS')) === 1, 2_000, 'nudged publish');
    await relay.stop();
  });
});

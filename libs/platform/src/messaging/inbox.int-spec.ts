import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { INBOX_TABLE, PlatformInbox1763700000000, processOnce } from './inbox';
import type { ReceivedMessage } from './messaging.types';
import { MessagingTestBed, sleep, waitFor } from './testing/messaging.test-kit';

async function openDatabase(db: TestDatabase): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url: db.url,
    migrations: [PlatformInbox1763700000000],
    logging: false,
  });
  await ds.initialize();
  await ds.runMigrations();
  await ds.query(`CREATE TABLE side_effect (id text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`);
  return ds;
}

async function count(ds: DataSource, table: string): Promise<number> {
  const [row] = await ds.query(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

describe(processOnce.name, () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('inbox');
    ds = await openDatabase(db);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await ds.query(`TRUNCATE ${INBOX_TABLE}, side_effect`);
  });

  it('runs the work once for the same message, however often it arrives', async () => {
    let runs = 0;
    const work = async (m: import('typeorm').EntityManager) => {
      runs++;
      await m.query(`INSERT INTO side_effect (id) VALUES ($1)`, ['a']);
    };
    expect(await processOnce(ds, 'fs', { msgId: 'm-1' }, work)).toBe(true);
    expect(await processOnce(ds, 'fs', { msgId: 'm-1' }, work)).toBe(false);
    expect(runs).toBe(1);
    expect(await count(ds, 'side_effect')).toBe(1);
    // Another consumer of the same message has its own inbox entry.
    expect(await processOnce(ds, 'dss', { msgId: 'm-1' }, async () => undefined)).toBe(true);
    expect(await count(ds, INBOX_TABLE)).toBe(2);
  });

  it('keeps nothing when the work throws, so a retry can succeed', async () => {
    await expect(
      processOnce(ds, 'fs', { msgId: 'm-2' }, async (m) => {
        await m.query(`INSERT INTO side_effect (id) VALUES ($1)`, ['b']);
        throw new Error('constraint violated later');
      }),
    ).rejects.toThrow('constraint violated later');
    expect(await count(ds, 'side_effect')).toBe(0);
    expect(await count(ds, INBOX_TABLE)).toBe(0);

    expect(
      await processOnce(ds, 'fs', { msgId: 'm-2' }, (m) => m.query(`INSERT INTO side_effect (id) VALUES ('b')`)),
    ).toBe(true);
    expect(await count(ds, 'side_effect')).toBe(1);
  });

  it('lets only one of two concurrent deliveries of a message do the work', async () => {
    let runs = 0;
    const work = async () => {
      runs++;
      await sleep(100);
    };
    const results = await Promise.all([
      processOnce(ds, 'fs', { msgId: 'm-3' }, work),
      processOnce(ds, 'fs', { msgId: 'm-3' }, work),
    ]);
    expect(results.sort()).toEqual([false, true]);
    expect(runs).toBe(1);
  });
});

describe('consumer restart with processOnce', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let bed: MessagingTestBed;

  beforeAll(async () => {
    db = await createTestDatabase('restart');
    ds = await openDatabase(db);
    bed = new MessagingTestBed('restart');
  });

  afterAll(async () => {
    await bed?.cleanup();
    await ds?.destroy();
    await db?.drop();
  });

  it('loses nothing and duplicates nothing when the consumer stops mid-way and a new one takes over', async () => {
    const TOTAL = 200;
    const publisher = await bed.client();
    for (let i = 0; i < TOTAL; i++) {
      await publisher.publish(`events.v1.interaction`, { id: `e${i}` }, { msgId: `e${i}` });
    }

    const processed = new Set<string>();
    // The first consumer works slowly, so it is surely stopped before it has seen everything, even on a
    // loaded machine; the second one at full speed.
    let workMs = 20;
    let invocations = 0;
    let duplicatesAbsorbed = 0;
    const options = {
      stream: 'EVENTS',
      durable: 'feature-store',
      ackWaitMs: 2_000, // a delivery lost in the stopped consumer's pull request comes back after this
      backoffMs: [50, 100],
      concurrency: 4,
      prefetch: 16,
      handler: async (m: ReceivedMessage) => {
        invocations++;
        const ran = await processOnce(ds, 'feature-store', m, async (manager) => {
          await sleep(workMs);
          await manager.query(`INSERT INTO side_effect (id) VALUES ($1)`, [(m.data as { id: string }).id]);
        });
        if (!ran) duplicatesAbsorbed++;
        processed.add(m.msgId);
        // Every 10th message fails after its commit on first delivery, as if the ack were lost.
        if (m.deliveryCount === 1 && m.seq % 10 === 0) throw new Error('lost ack');
      },
    };

    const first = await bed.client();
    await first.consume(options);
    await waitFor(() => processed.size >= 60, 20_000, '60 processed');
    await first.close();
    const afterFirst = processed.size;
    expect(afterFirst).toBeLessThan(TOTAL); // it really stopped mid-way

    workMs = 2;
    const second = await bed.client();
    await second.consume(options);
    await waitFor(() => processed.size === TOTAL, 30_000, 'all processed');
    await waitFor(async () => {
      const info = await bed.consumerInfo('EVENTS', 'feature-store');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });

    expect([...processed].sort()).toEqual(Array.from({ length: TOTAL }, (_, i) => `e${i}`).sort());
    expect(await count(ds, INBOX_TABLE)).toBe(TOTAL);
    expect(await count(ds, 'side_effect')).toBe(TOTAL);
    expect(duplicatesAbsorbed).toBeGreaterThanOrEqual(TOTAL / 10);
    expect(invocations).toBe(TOTAL + duplicatesAbsorbed);
    expect(await bed.streamMessageCount('DLQ')).toBe(0);
  });
});

import { Client } from 'pg';
import { AppName } from '@app/platform/config/platform.config';
import {
  buildIfStale,
  createTestDatabase,
  freePort,
  PrivateNatsServer,
  startPrivateNatsServer,
  TestDatabase,
  uniqueNamespace,
} from '@app/testing';
import { eventually } from '@app/testing/app';
import { builtMain, ServiceProcess } from './service.process';

/*
 * Graceful failure, end to end: ingestion, feature store and recommendation as separate processes from
 * dist/, a NATS server of this test's own (so it can be stopped) and the machine's PostgreSQL. Only public
 * interfaces are used, plus ingestion's database to count what was stored.
 *   1. the feature store killed → recommendation keeps answering (degraded), ingestion keeps accepting;
 *      restarted → it catches up, nothing lost, nothing counted twice;
 *   2. NATS stopped → ingestion keeps accepting (its stored log is the outbox); restarted → every event arrives;
 *   3. SIGTERM under load → every answered request was stored whole, no request half-stored, exit 0.
 */

const START_BOUND_MS = 120_000;
const CATCH_UP_BOUND_MS = 90_000;
const ITEMS = Array.from({ length: 8 }, (_, i) => `gf-i${i}`);

interface Started {
  service: ServiceProcess;
  env: Record<string, string>;
}

describe('graceful failure (separate processes)', () => {
  let nats: PrivateNatsServer;
  const namespace = uniqueNamespace('graceful');
  const databases = new Map<AppName, TestDatabase>();
  const started = new Map<AppName, Started>();
  let ingestionDb: Client;

  async function start(app: AppName, env: Record<string, string> = {}): Promise<Started> {
    let db = databases.get(app);
    if (!db) {
      db = await createTestDatabase(`graceful_${app.replace(/-/g, '_')}`);
      databases.set(app, db);
    }
    const previous = started.get(app)?.env;
    const full = previous ?? {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      BIND_HOST: '127.0.0.1',
      HTTP_PORT: String(await freePort()),
      GRPC_PORT: String(await freePort()),
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      NATS_NAMESPACE: namespace,
      ...env,
    };
    const service = new ServiceProcess(app, `http://127.0.0.1:${full.HTTP_PORT}`, full);
    const s = { service, env: full };
    started.set(app, s);
    await service.ready(START_BOUND_MS);
    return s;
  }
  const url = (app: AppName) => started.get(app)!.service.httpUrl;

  const interaction = (userId: string, n: number, prefix = 'gf') => ({
    eventId: `${prefix}-${userId}-${n}`,
    userId,
    itemId: ITEMS[n % ITEMS.length],
    type: 'view',
    occurredAt: new Date(Date.now() - 60_000 + n).toISOString(),
  });

  async function post(
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: { results?: { status: string }[] } }> {
    const res = await fetch(`${url('ingestion')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { results?: { status: string }[] } };
  }

  async function send(userId: string, from: number, count: number): Promise<string[]> {
    const res = await post('/v1/interactions', {
      interactions: Array.from({ length: count }, (_, k) => interaction(userId, from + k)),
    });
    expect(res.status).toBeLessThan(300);
    return (res.body.results ?? []).map((r) => r.status);
  }

  /** How many interactions the feature store holds for a user (its public history read). */
  async function historyCount(userId: string): Promise<number> {
    const res = await fetch(`${url('feature-store')}/v1/history?userIds=${userId}&limit=1000`).catch(() => undefined);
    if (!res?.ok) return -1;
    const body = (await res.json()) as { histories: { entries?: unknown[] }[] };
    return body.histories[0]?.entries?.length ?? 0;
  }

  const untilHistory = (userId: string, count: number) =>
    eventually(
      () => historyCount(userId),
      (n) => n === count,
      `${count} interactions of ${userId} in the feature store`,
      CATCH_UP_BOUND_MS,
    );

  async function recommend(
    userId: string,
  ): Promise<{ status: number; degraded?: boolean; components: string[]; items: number }> {
    const res = await fetch(`${url('recommendation')}/v1/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, k: 4 }),
    });
    const body = (await res.json()) as {
      degraded?: boolean;
      degradations?: { component: string }[];
      items?: unknown[];
    };
    return {
      status: res.status,
      degraded: body.degraded,
      components: (body.degradations ?? []).map((d) => d.component),
      items: body.items?.length ?? 0,
    };
  }

  beforeAll(async () => {
    buildIfStale((['ingestion', 'feature-store', 'recommendation'] as AppName[]).map(builtMain));
    nats = await startPrivateNatsServer();
    await start('ingestion', { INGESTION_BOT_MAX_EVENTS_PER_SECOND: '0', INGESTION_PUBLISH_INTERVAL_MS: '50' });
    const fs = await start('feature-store', { FEATURE_STORE_TOP_ITEMS_REFRESH_SECONDS: '1' });
    await start('recommendation', {
      FEATURE_STORE_GRPC_URL: `127.0.0.1:${fs.env.GRPC_PORT}`,
      TRAINING_GRPC_URL: `127.0.0.1:${await freePort()}`, // no training service: fallbacks serve
      RECOMMENDATION_FEATURE_TIMEOUT_MS: '1000',
      RECOMMENDATION_CACHE_TTL_SECONDS: '0',
    });
    ingestionDb = new Client({ connectionString: databases.get('ingestion')!.url });
    await ingestionDb.connect();
    const items = await post('/v1/items', {
      items: ITEMS.map((itemId) => ({
        itemId,
        title: `Item ${itemId}`,
        categories: ['Garden'],
        price: { amountMinor: 1000, currencyCode: 'EUR' },
        available: true,
        updatedAt: new Date(Date.now() - 3_600_000).toISOString(),
      })),
    });
    expect(items.status).toBeLessThan(300);
  }, 300_000);

  afterAll(async () => {
    await ingestionDb?.end();
    await Promise.all([...started.values()].map((s) => s.service.stop()));
    for (const db of databases.values()) await db.drop();
    await nats?.dispose();
  }, 120_000);

  it('keeps recommending (degraded) and accepting events while the feature store is down; it catches up after', async () => {
    expect(await send('gf-u1', 0, 20)).toEqual(Array(20).fill('accepted'));
    await untilHistory('gf-u1', 20);
    const before = await eventually(
      () => recommend('gf-u1'),
      (r) => r.items === 4,
      'a full answer',
    );
    expect(before.components).not.toContain('feature-store');

    await started.get('feature-store')!.service.kill();
    for (let n = 0; n < 3; n++) {
      const during = await recommend('gf-u1');
      expect(during).toMatchObject({ status: 200, degraded: true });
      expect(during.components).toContain('feature-store');
      expect(during.items).toBeGreaterThan(0); // the last known popular list
    }
    expect(await send('gf-u1', 20, 10)).toEqual(Array(10).fill('accepted'));
    expect(await send('gf-u2', 0, 10)).toEqual(Array(10).fill('accepted'));

    await start('feature-store');
    await untilHistory('gf-u1', 30);
    await untilHistory('gf-u2', 10);
    await eventually(
      () => recommend('gf-u1'),
      (r) => !r.components.includes('feature-store'),
      'whole answers again',
      30_000,
    );

    // Sent again (a client's retry): stored once, counted once.
    expect(await send('gf-u2', 0, 10)).toEqual(Array(10).fill('duplicate'));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await historyCount('gf-u2')).toBe(10);
  }, 240_000);

  it('keeps accepting events while NATS is down and delivers every one once it is back', async () => {
    await nats.stop();
    expect(await send('gf-u3', 0, 15)).toEqual(Array(15).fill('accepted'));
    expect(await send('gf-u3', 15, 5)).toEqual(Array(5).fill('accepted'));
    const stored = await ingestionDb.query(
      `SELECT count(*)::int AS n FROM ingested_record WHERE event->>'userId' = 'gf-u3'`,
    );
    expect(stored.rows[0].n).toBe(20);
    await nats.start();
    await untilHistory('gf-u3', 20);
  }, 240_000);

  it('finishes in-flight requests on SIGTERM: what was answered is stored whole, nothing half-stored, exit 0', async () => {
    const ingestion = started.get('ingestion')!.service;
    const BATCH = 25;
    const outcomes: { batch: number; status: number }[] = [];
    let stop = false;
    let batch = 0;
    const worker = async () => {
      while (!stop) {
        const b = batch++;
        const body = { interactions: Array.from({ length: BATCH }, (_, k) => interaction(`gf-load-${b}`, k, 'gfl')) };
        const status = await fetch(`${ingestion.httpUrl}/v1/interactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(
          async (r) => (await r.arrayBuffer(), r.status),
          () => 0, // refused or cut: the server was going away
        );
        outcomes.push({ batch: b, status });
        if (status === 0 || status >= 500) return;
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, worker));
    await eventually(
      async () => outcomes.length,
      (n) => n >= 12,
      'load to be under way',
      30_000,
    );
    const ended = ingestion.terminated();
    const exit = await ended;
    stop = true;
    await load;
    expect(exit).toEqual({ code: 0, signal: null });

    const rows = await ingestionDb.query(
      `SELECT event->>'userId' AS user, count(*)::int AS n FROM ingested_record
        WHERE event->>'userId' LIKE 'gf-load-%' GROUP BY 1`,
    );
    const stored = new Map(rows.rows.map((r: { user: string; n: number }) => [r.user, r.n]));
    const answered = outcomes.filter((o) => o.status > 0 && o.status < 300);
    expect(answered.length).toBeGreaterThanOrEqual(12);
    for (const o of answered)
      expect({ batch: o.batch, stored: stored.get(`gf-load-${o.batch}`) }).toEqual({ batch: o.batch, stored: BATCH });
    // Whatever was not answered is all-or-nothing: a batch's transaction commits whole or not at all.
    for (const n of stored.values()) expect(n).toBe(BATCH);
    for (const o of outcomes.filter((x) => x.status !== 0 && (x.status < 200 || x.status >= 300))) {
      expect(o.status).toBe(503);
    }
  }, 120_000);

  it('lets in-flight recommendation requests finish on SIGTERM and exits 0', async () => {
    const recommendation = started.get('recommendation')!.service;
    const statuses: number[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const status = await recommend('gf-u1').then(
          (r) => r.status,
          () => 0,
        );
        statuses.push(status);
        if (status === 0) return;
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    await eventually(
      async () => statuses.length,
      (n) => n >= 20,
      'requests under way',
      30_000,
    );
    const exit = await recommendation.terminated();
    stop = true;
    await load;
    expect(exit).toEqual({ code: 0, signal: null });
    // Every answer that came back was a whole one; the rest were refused once the server had closed.
    expect(statuses.filter((s) => s !== 0 && s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(20);
  }, 120_000);
});

import * as grpc from '@grpc/grpc-js';
import { featureStoreV1 } from '@app/contracts';
import { fromTimestamp, toTimestamp } from '@app/contracts/grpc';
import { DLQ_STREAM, readDeadLetterHeaders } from '@app/platform/messaging';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FeatureEventsConsumer } from '../src/api/feature-events.consumer';
import { FeatureApplier, StreamMessage } from '../src/application/feature-applier.service';
import { FeatureStoreModule } from '../src/feature-store.module';
import { Clock } from '../src/infra/clock';
import { FeatureRepository } from '../src/infra/feature.repository';
import { applied, DAY, dumpState, HOUR, interaction, item, publish, Published } from './feature-store.test-kit';

type Online = featureStoreV1.GetOnlineFeaturesResponse;
type Part = featureStoreV1.StreamTrainingSetResponse;

const DURABLE = 'feature-store';
const NOW = Date.now();
const T = (hoursAgo: number) => NOW - hoursAgo * HOUR;

/** Three shoppers, four items, stock in two stores; u3 is erased later. */
function scenario(): Published[] {
  const v = (userId: string, sessionId: string, itemId: string, h: number, type = 'view') =>
    ['events.v1.interaction', interaction({ userId, sessionId, itemId, type, at: T(h) })] as Published;
  return [
    ['catalog.v1.item', item('i1')],
    ['catalog.v1.item', item('i2')],
    ['catalog.v1.item', item('i3', { categories: ['Garden'], priceMinor: 500 })],
    ['catalog.v1.item', item('i4', { categories: ['Garden', 'Tools'] })],
    ['catalog.v1.user', { userId: 'u1', personalisationConsent: true, updatedAt: new Date(T(100)).toISOString() }],
    v('u1', 's1', 'i1', 10),
    v('u1', 's1', 'i2', 9.9),
    v('u1', 's1', 'i3', 9.8),
    v('u1', 's1', 'i1', 9.7, 'purchase'),
    v('u1', 's1', 'i2', 9.6, 'purchase'),
    v('u2', 's2', 'i1', 5),
    v('u2', 's2', 'i2', 4.9),
    v('u2', 's2', 'i1', 4.8, 'purchase'),
    v('u3', 's3', 'i3', 3),
    v('u3', 's3', 'i4', 2.9),
    v('u3', 's3', 'i4', 2.8, 'purchase'),
    v('u3', 's3', 'i3', 2.7, 'purchase'),
    [
      'stock.v1.position',
      { sku: 'i1', storeId: 'A', onHand: 10, onOrder: 0, observedAt: new Date(T(1)).toISOString() },
    ],
    ['stock.v1.position', { sku: 'i1', storeId: 'B', onHand: 2, onOrder: 0, observedAt: new Date(T(1)).toISOString() }],
    ['stock.v1.position', { sku: 'i2', storeId: 'A', onHand: 3, onOrder: 5, observedAt: new Date(T(1)).toISOString() }],
    ['stock.v1.position', { sku: 'i3', storeId: 'A', onHand: 0, onOrder: 5, observedAt: new Date(T(1)).toISOString() }],
  ];
}

describe('FeatureStore (service, real PostgreSQL and NATS)', () => {
  let t: TestApp;
  let rpc: GrpcTestClient;
  let repo: FeatureRepository;
  let ds: DataSource;
  let lastSeq = 0;
  const sent: StreamMessage[] = [];

  beforeAll(async () => {
    t = await startTestApp('feature-store', (env) => FeatureStoreModule.register({ env }), {
      FEATURE_STORE_BATCH_SIZE: '7',
    });
    rpc = grpcTestClient('feature-store', t.app.grpcUrl);
    repo = t.app.app.get(FeatureRepository);
    ds = t.app.app.get(DataSource);
    for (const [subject, payload] of scenario()) {
      const seq = await publish(t.bus, [[subject, payload]]);
      sent.push({ seq, subject, data: payload });
      lastSeq = seq;
    }
    await applied(repo, DURABLE, lastSeq);
  }, 60_000);

  afterAll(async () => {
    rpc?.close();
    await t?.close();
  });

  const online = (r: object) => rpc.call<Online>('GetOnlineFeatures', r);

  it('serves a user and many items in one call: history, counts, affinities, consent, purchases, stock, price', async () => {
    const res = await online({ userId: 'u1', itemIds: ['i1', 'i2', 'i3', 'nope'], historyLimit: 3 });
    const u = res.user!;
    expect(u.known).toBe(true);
    expect(u.recentInteractions.map((e) => [e.itemId, e.type])).toEqual([
      ['i2', 'INTERACTION_TYPE_PURCHASE'],
      ['i1', 'INTERACTION_TYPE_PURCHASE'],
      ['i3', 'INTERACTION_TYPE_VIEW'],
    ]);
    expect(u.interactionCounts).toEqual([
      { type: 'INTERACTION_TYPE_VIEW', count: 3 },
      { type: 'INTERACTION_TYPE_PURCHASE', count: 2 },
    ]);
    // Home and Kitchen: 2 views + 2 purchases (weight 5) each; Garden: one view.
    expect(u.categoryAffinities.map((a) => a.category).slice(2)).toEqual(['Garden']);
    expect(u.categoryAffinities[0].score).toBeCloseTo(12 / 25, 2);
    expect(u.categoryAffinities[2].score).toBeCloseTo(1 / 25, 2);
    expect(u.personalisationConsent).toBe('CONSENT_STATE_GRANTED');
    expect(u.purchasedItemIds).toEqual(['i1', 'i2']);
    expect(fromTimestamp(u.lastActiveAt!).getTime()).toBe(T(9.6));

    const [i1, i2, i3, nope] = res.items;
    expect(i1).toMatchObject({
      itemId: 'i1',
      known: true,
      title: 'Item i1',
      conversionRate: 1,
      stockStatus: 'STOCK_STATUS_IN_STOCK',
      onHand: 12,
      categories: ['Home', 'Kitchen'],
      price: { amountMinor: 1999, currencyCode: 'GBP' },
      available: true,
    });
    expect(i1.interactionCounts).toEqual([
      { type: 'INTERACTION_TYPE_VIEW', count: 2 },
      { type: 'INTERACTION_TYPE_PURCHASE', count: 2 },
    ]);
    // Views weigh 1, purchases 5, each halved every 168 hours.
    const decay = (hoursAgo: number) => Math.pow(2, -hoursAgo / 168);
    expect(i1.decayedPopularity).toBeCloseTo(decay(10) + decay(5) + 5 * (decay(9.7) + decay(4.8)), 2);
    expect(i2.stockStatus).toBe('STOCK_STATUS_LOW_STOCK');
    expect(i3.stockStatus).toBe('STOCK_STATUS_OUT_OF_STOCK');
    expect(i3.conversionRate).toBe(0.5); // two views (u1, u3), one purchase (u3)
    expect(nope).toMatchObject({ itemId: 'nope', known: false, interactionCounts: [] });
  });

  it('keeps co-view and co-purchase neighbours, scored by cosine of basket counts', async () => {
    const res = await rpc.call<featureStoreV1.GetItemNeighboursResponse>('GetItemNeighbours', {
      itemIds: ['i1', 'i3'],
      limit: 5,
    });
    const byKey = new Map(res.neighbours.map((n) => [`${n.itemId}/${n.kind}`, n.neighbours]));
    expect(byKey.get('i1/NEIGHBOUR_KIND_CO_VIEW')).toEqual([
      { itemId: 'i2', score: 1, support: 2 },
      { itemId: 'i3', score: 0.5, support: 1 },
    ]);
    expect(byKey.get('i1/NEIGHBOUR_KIND_CO_PURCHASE')).toEqual([{ itemId: 'i2', score: 1 / Math.sqrt(2), support: 1 }]);
    expect(byKey.get('i3/NEIGHBOUR_KIND_CO_VIEW')!.map((n) => n.itemId)).toEqual(['i4', 'i1', 'i2']);
  });

  it('ranks popular and trending items, overall and per category, leaving out what cannot be sold', async () => {
    const top = (r: object) => rpc.call<featureStoreV1.GetTopItemsResponse>('GetTopItems', r);
    const popular = await top({ metric: 'TOP_ITEMS_METRIC_POPULARITY' });
    // i3 is out of stock: left out unless asked for.
    expect(popular.items.map((i) => i.itemId)).toEqual(['i1', 'i2', 'i4']);
    expect(popular.items[0].score).toBeGreaterThan(popular.items[1].score);
    // Asked for: i3 (two views and a purchase, the most recent) edges out i2 (the same, older).
    const all = await top({ includeUnavailable: true, limit: 2 });
    expect(all.items.map((i) => i.itemId)).toEqual(['i1', 'i3']);
    const garden = await top({ metric: 'TOP_ITEMS_METRIC_TRENDING', category: 'Garden', includeUnavailable: true });
    expect(garden.items.map((i) => i.itemId).sort()).toEqual(['i3', 'i4']);
    // Everything happened in the last ten hours against no baseline: every item is rising.
    expect(garden.items.every((i) => i.score > 1)).toBe(true);
    const rest = (await (await fetch(`${t.app.httpUrl}/v1/top-items?category=Kitchen&limit=1`)).json()) as {
      items: { itemId: string }[];
    };
    expect(rest.items.map((i) => i.itemId)).toEqual(['i1']);
  });

  it('serves the last ranking while the next one is computed, so no reader waits for a refresh', async () => {
    const top = () =>
      rpc
        .call<featureStoreV1.GetTopItemsResponse>('GetTopItems', { limit: 2 })
        .then((r) => fromTimestamp(r.computedAt!).getTime());
    const first = await top();
    const clock = t.app.app.get(Clock);
    const later = Date.now() + 60_000; // past FEATURE_STORE_TOP_ITEMS_REFRESH_SECONDS
    const spy = jest.spyOn(clock, 'now').mockReturnValue(later);
    try {
      expect(await top()).toBe(first); // stale, refresh started
      await eventually(top, (at) => at === later, 'the refreshed ranking');
    } finally {
      spy.mockRestore();
    }
  });

  it('returns histories of users and sessions, filtered and truncated', async () => {
    const res = await rpc.call<featureStoreV1.GetUserHistoryResponse>('GetUserHistory', {
      userIds: ['u1', 'ghost'],
      sessionIds: ['s2'],
      limit: 2,
      types: ['INTERACTION_TYPE_VIEW'],
    });
    expect(res.histories.map((h) => [h.userId ?? h.sessionId, h.entries.map((e) => e.itemId), h.truncated])).toEqual([
      ['u1', ['i3', 'i2'], true],
      ['ghost', [], false],
      ['s2', ['i2', 'i1'], false],
    ]);
  });

  it('streams a point-in-time training set that ignores later events and resumes to the same rows and checksum', async () => {
    const request = {
      asOf: toTimestamp(T(4.85)),
      weights: [
        { type: 'INTERACTION_TYPE_VIEW', weight: 1 },
        { type: 'INTERACTION_TYPE_PURCHASE', weight: 5 },
      ],
      batchSize: 3,
      includeItems: true,
    };
    const parts = await rpc.stream<Part>('StreamTrainingSet', request);
    const header = parts[0].header!;
    const rows = parts.flatMap((p) => p.interactions?.interactions ?? []);
    // Everything before 4.85 h ago: u1's five events and u2's first two; u2's purchase at 4.8 h is later.
    expect(header).toMatchObject({ interactionCount: 7, userCount: 2, itemCount: 3 });
    expect(rows.map((r) => [r.userId, r.itemId, r.weight])).toEqual([
      ['u1', 'i1', 1],
      ['u1', 'i2', 1],
      ['u1', 'i3', 1],
      ['u1', 'i1', 5],
      ['u1', 'i2', 5],
      ['u2', 'i1', 1],
      ['u2', 'i2', 1],
    ]);
    expect(rows.every((r) => fromTimestamp(r.occurredAt!).getTime() < T(4.85))).toBe(true);
    const items = parts.flatMap((p) => p.items?.items ?? []);
    expect(items.map((i) => [i.itemId, i.categories])).toEqual([
      ['i1', ['Home', 'Kitchen']],
      ['i2', ['Home', 'Kitchen']],
      ['i3', ['Garden']],
    ]);
    const trailer = parts[parts.length - 1].trailer!;
    expect(trailer).toMatchObject({ interactionCount: 7, itemCount: 3 });
    // The checksum recipe the proto documents, recomputed from what was received.
    const recipe = createHash('sha256');
    for (const r of rows) {
      const type = r.type.replace('INTERACTION_TYPE_', '').toLowerCase();
      const at = fromTimestamp(r.occurredAt!).toISOString();
      recipe.update(`${r.userId}\t${r.itemId}\t${type}\t${r.weight}\t${at}\t${r.rating ?? ''}\t${r.quantity}\n`);
    }
    expect(trailer.checksum).toBe(recipe.digest('hex'));

    const token = parts[1].interactions!.resumeToken;
    const resumed = await rpc.stream<Part>('StreamTrainingSet', { ...request, resumeToken: token });
    expect(resumed[0].header!.snapshotId).toBe(header.snapshotId);
    expect(resumed.flatMap((p) => p.interactions?.interactions ?? [])).toEqual(rows.slice(3));
    expect(resumed[resumed.length - 1].trailer).toMatchObject({ interactionCount: 4, checksum: trailer.checksum });
  });

  it('reads historical features as they were at each row time, within the TTL', async () => {
    const res = await rpc.call<featureStoreV1.GetHistoricalFeaturesResponse>('GetHistoricalFeatures', {
      rows: [
        { itemId: 'i1', userId: 'u2', sessionId: 's2', eventTime: toTimestamp(T(9.65)) },
        { itemId: 'i1', userId: 'u2', sessionId: 's2', eventTime: toTimestamp(T(4.85)) },
        { itemId: 'i1', userId: 'u2', sessionId: 's2', eventTime: toTimestamp(T(4.8) + 2 * DAY) },
      ],
      features: [
        'item_stats:view_count',
        'item_stats:purchase_count',
        'user_item:purchased',
        'session_activity:interaction_count',
        'item_content:title',
      ],
    });
    const v = res.rows.map((r) => r.values);
    expect(v[0]['item_stats:view_count'].int64Value).toBe(1);
    expect(v[0]['item_stats:purchase_count'].int64Value).toBe(1);
    expect(v[0]['user_item:purchased']).not.toHaveProperty('boolValue', true);
    expect(v[0]['session_activity:interaction_count'].int64Value ?? undefined).toBeUndefined();
    expect(v[1]['item_stats:view_count'].int64Value).toBe(2);
    expect(v[1]['item_stats:purchase_count'].int64Value).toBe(1);
    expect(v[1]['session_activity:interaction_count'].int64Value).toBe(2);
    expect(fromTimestamp(v[1]['session_activity:interaction_count'].observedAt!).getTime()).toBe(T(4.9));
    expect(v[2]['item_stats:purchase_count'].int64Value).toBe(2);
    expect(v[2]['user_item:purchased'].boolValue).toBe(true);
    // The session view lives one day: two days after its last event it has expired.
    expect(v[2]['session_activity:interaction_count'].int64Value ?? undefined).toBeUndefined();
    expect(v[2]['item_content:title'].stringValue).toBe('Item i1');
  });

  it('expires online values past their view TTL (item stats after 90 days; catalogue data never)', async () => {
    const clock = t.app.app.get(Clock);
    const spy = jest.spyOn(clock, 'now').mockReturnValue(NOW + 91 * DAY);
    try {
      const [i1] = (await online({ itemIds: ['i1'] })).items;
      expect(i1.interactionCounts).toEqual([]);
      expect(i1.decayedPopularity).toBe(0);
      expect(i1.stockStatus).toBe('STOCK_STATUS_UNSPECIFIED');
      expect(i1.categories).toEqual(['Home', 'Kitchen']);
      expect(i1.known).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('changes nothing when messages are redelivered or published again', async () => {
    const before = await dumpState(ds);
    await t.app.app.get(FeatureApplier).applyBatch(DURABLE, sent);
    await t.app.app.get(FeatureApplier).applyNeighbours(`${DURABLE}-neighbours`, sent);
    expect(await dumpState(ds)).toEqual(before);
    // The same records published again after JetStream's duplicate window: new sequences, same content.
    lastSeq = await publish(
      t.bus,
      sent.map((m) => [m.subject, m.data] as Published),
      ':again',
    );
    await applied(repo, DURABLE, lastSeq);
    expect(await dumpState(ds)).toEqual(before);
  });

  it('dead-letters an event that breaks its schema and applies the rest', async () => {
    const dead: ReturnType<typeof readDeadLetterHeaders>[] = [];
    const probe = await t.bus.consume({
      stream: DLQ_STREAM,
      durable: 'dlq-probe',
      handler: async (m) => void dead.push(readDeadLetterHeaders(m.headers)),
    });
    try {
      await t.bus.publish('events.v1.interaction', { eventId: 'bad', type: 'view' }, { msgId: 'bad' });
      lastSeq = await publish(t.bus, [['events.v1.interaction', interaction({ userId: 'u9', itemId: 'i9' })]]);
      await applied(repo, DURABLE, lastSeq);
      expect((await online({ userId: 'u9' })).user!.known).toBe(true);
      // Both consumers refuse it, each dead-lettering its own copy.
      await eventually(
        async () => dead.length,
        (n) => n >= 2,
        'the bad event in the DLQ',
      );
      expect(dead.map((d) => [d.originalMsgId, d.consumer]).sort()).toEqual([
        ['bad', DURABLE],
        ['bad', `${DURABLE}-neighbours`],
      ]);
      expect(dead[0].reason).toMatch(/itemId/);
      const stored = await ds.query(`SELECT count(*)::int AS n FROM fs_interaction WHERE event_id = 'bad'`);
      expect(stored[0].n).toBe(0);
    } finally {
      await probe.close();
    }
  });

  it('rebuilds exactly the same state by replaying the stream into an empty store', async () => {
    const before = await dumpState(ds);
    const consumer = t.app.app.get(FeatureEventsConsumer);
    await consumer.onApplicationShutdown();
    const applied = await consumer.rebuild();
    expect(applied).toBeGreaterThanOrEqual(lastSeq - 1);
    expect(await dumpState(ds)).toEqual(before);
    consumer.onApplicationBootstrap();
  });

  it('erases a user: no trace in any table, their neighbour contributions gone, redelivery brings nothing back', async () => {
    lastSeq = await publish(t.bus, [
      ['privacy.v1.user_erasure_requested', { userId: 'u3', requestId: 'r1', requestedAt: new Date().toISOString() }],
    ]);
    await applied(repo, DURABLE, lastSeq);
    // Every place a user id can be: as a column, an entity key, inside a basket key or a stored payload.
    const traces = async () => {
      const [row] = await ds.query(
        `SELECT (SELECT count(*) FROM fs_interaction WHERE user_id = 'u3')
              + (SELECT count(*) FROM fs_user_version WHERE user_id = 'u3' OR payload->>'userId' = 'u3')
              + (SELECT count(*) FROM fs_online_state WHERE entity = 'u3' OR entity LIKE 'u3' || chr(31) || '%')
              + (SELECT count(*) FROM fs_basket_member WHERE user_id = 'u3' OR basket LIKE 'u:u3:%') AS n`,
      );
      return Number(row.n);
    };
    expect(await traces()).toBe(0);
    const res = await rpc.call<featureStoreV1.GetItemNeighboursResponse>('GetItemNeighbours', {
      itemIds: ['i3', 'i4'],
    });
    const byKey = new Map(res.neighbours.map((n) => [`${n.itemId}/${n.kind}`, n.neighbours.map((x) => x.itemId)]));
    expect(byKey.get('i3/NEIGHBOUR_KIND_CO_VIEW')).toEqual(['i1', 'i2']);
    expect(byKey.get('i4/NEIGHBOUR_KIND_CO_VIEW')).toEqual([]);
    expect(byKey.get('i3/NEIGHBOUR_KIND_CO_PURCHASE')).toEqual([]);
    const [i3, i4] = (await online({ itemIds: ['i3', 'i4'] })).items;
    expect(i3.interactionCounts).toEqual([{ type: 'INTERACTION_TYPE_VIEW', count: 1 }]);
    expect(i4.interactionCounts).toEqual([]);
    expect((await online({ userId: 'u3' })).user!.known).toBe(false);

    // Redelivery of the user's old messages (same stream positions) brings nothing back.
    await t.app.app.get(FeatureApplier).applyBatch(DURABLE, sent);
    await t.app.app.get(FeatureApplier).applyNeighbours(`${DURABLE}-neighbours`, sent);
    expect(await traces()).toBe(0);

    // Nor does a replay of the whole stream.
    const before = await dumpState(ds);
    const consumer = t.app.app.get(FeatureEventsConsumer);
    await consumer.onApplicationShutdown();
    await consumer.rebuild();
    expect(await dumpState(ds)).toEqual(before);
    consumer.onApplicationBootstrap();
  });

  it('refuses bad requests naming the field (gRPC INVALID_ARGUMENT, HTTP 400)', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (e: grpc.ServiceError) => [e.code, e.details],
      );
    const [c1, d1] = (await code(online({ itemIds: Array.from({ length: 1001 }, (_, i) => `i${i}`) }))) as [
      number,
      string,
    ];
    expect(c1).toBe(grpc.status.INVALID_ARGUMENT);
    expect(d1).toMatch(/item_ids/);
    const err = await rpc.stream('StreamTrainingSet', {}).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((err as grpc.ServiceError).details).toMatch(/as_of/);
    const [c3, d3] = (await code(
      rpc.call('GetHistoricalFeatures', {
        rows: [{ itemId: 'i1', eventTime: toTimestamp(NOW) }],
        features: ['nope:x'],
      }),
    )) as [number, string];
    expect(c3).toBe(grpc.status.INVALID_ARGUMENT);
    expect(d3).toMatch(/features\[0\]/);
    const http = await fetch(`${t.app.httpUrl}/v1/training-set?weights=view:1`);
    expect(http.status).toBe(400);
    expect(JSON.stringify(await http.json())).toMatch(/as_of/);
    const views = (await (await fetch(`${t.app.httpUrl}/v1/feature-views`)).json()) as { views: { name: string }[] };
    expect(views.views.map((v) => v.name)).toContain('item_stats');
    const metrics = await (await fetch(`${t.app.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /feature_store_events_total\{consumer="feature-store",outcome="applied",app="feature-store"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /feature_store_events_total\{consumer="feature-store",outcome="rejected",app="feature-store"\} [1-9]/,
    ); // once per replay of the bad message
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { recommendationV1 } from '@app/contracts';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { deleteNamespaceStreams } from '@app/testing/nats';
import { FeatureStoreModule } from '../apps/feature-store/src/feature-store.module';
import { FeatureRepository } from '../apps/feature-store/src/infra/feature.repository';
import {
  applied,
  HOUR,
  interaction,
  item,
  publish,
  Published,
} from '../apps/feature-store/test/feature-store.test-kit';
import { RecommendationModule } from '../apps/recommendation/src/recommendation.module';
import { ModelHolder } from '../apps/recommendation/src/application/model-holder.service';
import { fitArtifact, tinyHistory, TrainingStandIn } from '../apps/recommendation/test/training.stand-in';

/*
 * Serving end to end: the real feature store (fed through the stream), a stand-in of the training
 * service's registry holding a model fitted on the same history, and the recommendation service, all
 * through their public interfaces.
 */

type Answer = recommendationV1.RecommendResponse;
const NOW = Date.now();
const GARDEN = (i: number) => i % 2 === 0; // tinyHistory: group-0 users use even items, group-1 users odd ones
const OUT_OF_STOCK = 'i2';
const HIDDEN = 'i6';
const CHEAP = (i: number) => i < 10; // price 500 below i10, 2000 from there

function catalogue(): Published[] {
  const out: Published[] = [];
  for (let i = 0; i < 20; i++) {
    out.push([
      'catalog.v1.item',
      item(`i${i}`, {
        title: `Item ${i}`,
        categories: [GARDEN(i) ? 'Garden' : 'Kitchen'],
        priceMinor: CHEAP(i) ? 500 : 2000,
        currency: 'GBP',
        available: `i${i}` !== HIDDEN,
      }),
    ]);
    out.push([
      'stock.v1.position',
      {
        sku: `i${i}`,
        storeId: 'S1',
        onHand: `i${i}` === OUT_OF_STOCK ? 0 : 10,
        onOrder: 0,
        observedAt: new Date(NOW - HOUR).toISOString(),
      },
    ]);
  }
  for (let u = 0; u < 30; u++) {
    out.push([
      'catalog.v1.user',
      { userId: `u${u}`, personalisationConsent: u !== 1, updatedAt: new Date(NOW - 48 * HOUR).toISOString() },
    ]);
  }
  // The same history the model was fitted on, as recent views (one session per user), and u0 bought i0.
  tinyHistory().forEach((r, n) =>
    out.push([
      'events.v1.interaction',
      interaction({ userId: r.userId, itemId: r.itemId, sessionId: `s-${r.userId}`, at: NOW - 10 * HOUR + n * 1000 }),
    ]),
  );
  out.push(['events.v1.interaction', interaction({ userId: 'u0', itemId: 'i0', type: 'purchase', at: NOW - HOUR })]);
  // Baskets: i3 and i5 bought together twice.
  for (const u of ['u7', 'u9']) {
    for (const i of ['i3', 'i5']) {
      out.push([
        'events.v1.interaction',
        interaction({ userId: u, sessionId: `b-${u}`, itemId: i, type: 'purchase', at: NOW - 2 * HOUR }),
      ]);
    }
  }
  return out;
}

describe('recommendation serving (real feature store, training stand-in)', () => {
  let fs: TestApp;
  let rec: TestApp;
  let rpc: GrpcTestClient;
  const training = new TrainingStandIn();
  let lastSeq = 0;
  let fsStopped = false;

  beforeAll(async () => {
    training.register('m1', 1, 'item-knn', await fitArtifact('item-knn'));
    training.championId = 'm1';
    await training.start();
    fs = await startTestApp('feature-store', (env) => FeatureStoreModule.register({ env }));
    lastSeq = await publish(fs.bus, catalogue());
    await applied(fs.app.app.get(FeatureRepository), 'feature-store', lastSeq);
    rec = await startTestApp('recommendation', (env) => RecommendationModule.register({ env }), {
      NATS_NAMESPACE: fs.namespace,
      FEATURE_STORE_GRPC_URL: fs.app.grpcUrl,
      TRAINING_GRPC_URL: training.address,
      RECOMMENDATION_ITEM_CACHE_TTL_SECONDS: '1',
      RECOMMENDATION_TOP_ITEMS_TTL_SECONDS: '1',
      RECOMMENDATION_FEATURE_TIMEOUT_MS: '300',
    });
    rpc = grpcTestClient('recommendation', rec.app.grpcUrl);
    const holder = rec.app.app.get(ModelHolder);
    await eventually(
      async () => holder.current()?.modelId,
      (id) => id === 'm1',
      'the champion to load',
    );
  }, 90_000);

  afterAll(async () => {
    rpc?.close();
    await rec?.close();
    if (fsStopped) {
      await fs.bus.close();
      await deleteNamespaceStreams(fs.namespace);
      await fs.db.drop();
    } else await fs?.close();
    await training.stop();
  });

  const recommend = (r: Partial<recommendationV1.RecommendRequest>) => rpc.call<Answer>('Recommend', r);
  const ids = (a: { items: { itemId: string }[] }) => a.items.map((i) => i.itemId);
  const num = (id: string) => Number(id.slice(1));

  it('personalises for a consenting user from the champion, explains, and never shows what they bought', async () => {
    const a = await recommend({ userId: 'u0', k: 4, diversity: 0 });
    expect(a.degraded).toBe(false);
    expect(a.modelId).toBe('m1');
    expect(a.recommendationId).toMatch(/^rec_/);
    const personal = a.items.filter((i) => i.source === recommendationV1.RecommendationSource.PERSONALISED);
    expect(personal.length).toBeGreaterThan(0);
    // u0 is a Garden (even) shopper: the model's picks are even items.
    expect(personal.every((i) => GARDEN(num(i.itemId)))).toBe(true);
    expect(ids(a)).not.toContain('i0');
    expect(ids(a)).not.toContain(HIDDEN);
    expect(a.items).toHaveLength(4);
    expect(personal[0].explanation?.text).toMatch(/^Because you (viewed|bought) Item \d+$/);
    expect(personal[0].explanation?.factors[0].itemId).toMatch(/^i\d+$/);
  });

  it('always honours filters: stock, categories, price, brand, exclusions', async () => {
    for (let u = 0; u < 12; u++) {
      const a = await recommend({
        userId: `u${u}`,
        k: 6,
        filters: {
          inStockOnly: true,
          includeCategories: ['Kitchen'],
          excludeCategories: [],
          excludeItemIds: ['i1'],
          maxPrice: { amountMinor: 1000, currencyCode: 'GBP' },
          includeBrands: [],
        },
      });
      for (const id of ids(a)) {
        expect([id, GARDEN(num(id)), CHEAP(num(id))]).toEqual([id, false, true]);
        expect([OUT_OF_STOCK, HIDDEN, 'i1']).not.toContain(id);
      }
    }
  });

  it('gives a brand-new user and an anonymous session a full list, from the fallbacks, without calling it degraded', async () => {
    const fresh = await recommend({ userId: 'never-seen', k: 5 });
    expect(fresh.items).toHaveLength(5);
    expect(fresh.degraded).toBe(false);
    expect(fresh.items.every((i) => i.source !== recommendationV1.RecommendationSource.PERSONALISED)).toBe(true);
    const session = await recommend({ sessionId: 'anon-1', sessionItemIds: ['i4', 'i8'], k: 5 });
    expect(session.items).toHaveLength(5);
    // The model scores an anonymous session from its items; item-to-item fills what it leaves.
    expect([
      recommendationV1.RecommendationSource.PERSONALISED,
      recommendationV1.RecommendationSource.SESSION_ITEM_TO_ITEM,
    ]).toContain(session.items[0].source);
    expect(session.items.slice(0, 3).every((i) => GARDEN(num(i.itemId)))).toBe(true);
    expect(session.items[0].explanation?.text).toMatch(/^Because you viewed Item (4|8)$/);
    expect(ids(session)).not.toEqual(expect.arrayContaining(['i4']));
  });

  it('does not personalise for a user who refused consent', async () => {
    const a = await recommend({ userId: 'u1', k: 5 });
    expect(a.items.some((i) => i.source === recommendationV1.RecommendationSource.PERSONALISED)).toBe(false);
    expect(a.items).toHaveLength(5);
  });

  it('answers similar items (also for an item the model never saw), bought together, popular and trending', async () => {
    const similar = await rpc.call<recommendationV1.SimilarItemsResponse>('SimilarItems', { itemId: 'i4', k: 3 });
    expect(similar.items).toHaveLength(3);
    expect(similar.items[0].explanation?.text).toBe('Similar to Item 4');
    await publish(fs.bus, [['catalog.v1.item', item('i99', { title: 'New', categories: ['Garden'] })]]);
    const newcomer = await eventually(
      () => rpc.call<recommendationV1.SimilarItemsResponse>('SimilarItems', { itemId: 'i99', k: 3 }),
      (r) => r.items.length === 3 && r.items.every((i) => GARDEN(num(i.itemId))),
      'similar items for a new item: popular ones of its category',
      5_000,
    );
    expect(newcomer.items.every((i) => GARDEN(num(i.itemId)))).toBe(true);
    const together = await rpc.call<recommendationV1.FrequentlyBoughtTogetherResponse>('FrequentlyBoughtTogether', {
      itemIds: ['i3'],
      k: 2,
    });
    expect(together.items[0]).toMatchObject({
      itemId: 'i5',
      source: recommendationV1.RecommendationSource.BOUGHT_TOGETHER,
    });
    expect(together.items[0].explanation?.text).toBe('Often bought together with Item 3');
    const popular = await rpc.call<recommendationV1.PopularResponse>('Popular', { category: 'Kitchen', k: 3 });
    expect(popular.items.map((i) => GARDEN(num(i.itemId)))).toEqual([false, false, false]);
    expect(popular.items[0].explanation?.text).toBe('Popular in Kitchen');
    const trending = await rpc.call<recommendationV1.TrendingResponse>('Trending', { k: 3 });
    expect(trending.items).toHaveLength(3);
  });

  it('drops a cached answer as soon as the shopper acts', async () => {
    const first = await recommend({ userId: 'u4', k: 3, diversity: 0 });
    const again = await recommend({ userId: 'u4', k: 3, diversity: 0 });
    expect(ids(again)).toEqual(ids(first));
    expect(again.recommendationId).not.toBe(first.recommendationId);
    // u4 buys the top pick: the next answer must not offer it again.
    lastSeq = await publish(fs.bus, [
      ['events.v1.interaction', interaction({ userId: 'u4', itemId: first.items[0].itemId, type: 'purchase' })],
    ]);
    await applied(fs.app.app.get(FeatureRepository), 'feature-store', lastSeq);
    const after = await eventually(
      () => recommend({ userId: 'u4', k: 3, diversity: 0 }),
      (a) => !ids(a).includes(first.items[0].itemId),
      'the bought item to leave the answer',
      5_000,
    );
    expect(after.items).toHaveLength(3);
  });

  it('explains an item as served, by recommendation id', async () => {
    const a = await recommend({ userId: 'u2', k: 3 });
    const e = await rpc.call<recommendationV1.ExplainResponse>('Explain', {
      itemId: a.items[1].itemId,
      recommendationId: a.recommendationId,
    });
    expect(e).toMatchObject({ itemId: a.items[1].itemId, rank: 2, source: a.items[1].source });
  });

  it('refuses bad requests naming the field (gRPC INVALID_ARGUMENT, HTTP 400)', async () => {
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: grpc.ServiceError) => [e.code, e.details],
      );
    expect(await fail(recommend({ userId: 'u0', k: 1000 }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      expect.stringMatching(/k/),
    ]);
    expect(await fail(recommend({ k: 3 }))).toEqual([grpc.status.INVALID_ARGUMENT, expect.stringMatching(/user_id/)]);
    expect(await fail(recommend({ userId: 'u0', diversity: 2 }))).toEqual([
      grpc.status.INVALID_ARGUMENT,
      expect.stringMatching(/diversity/),
    ]);
    expect(
      await fail(
        recommend({ userId: 'u0', filters: { minPrice: { amountMinor: 5, currencyCode: 'pounds' } } as never }),
      ),
    ).toEqual([grpc.status.INVALID_ARGUMENT, expect.stringMatching(/filters\.min_price\.currency_code/)]);
    const http = await fetch(`${rec.app.httpUrl}/v1/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u0', k: 0.5 }),
    });
    expect(http.status).toBe(400);
    expect(JSON.stringify(await http.json())).toMatch(/"field":"k"/);
    const ok = await fetch(`${rec.app.httpUrl}/v1/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u0', k: 2 }),
    });
    const body = (await ok.json()) as { items: { source: string }[] };
    expect(body.items).toHaveLength(2);
    expect(body.items[0].source).toBe('personalised');
  });

  it('answers every example of docs/recommendation.md as documented, in order', async () => {
    const examples = docExamples(readFileSync(join(__dirname, '..', 'docs', 'recommendation.md'), 'utf8'));
    expect(examples.map((e) => `${e.method} ${e.path}`)).toEqual([
      'POST /v1/recommendations',
      'POST /v1/session-recommendations',
      'GET /v1/items/i4/similar?k=3',
      'POST /v1/bought-together',
      'GET /v1/popular?category=Garden&k=3',
      'GET /v1/explain?itemId=i4&userId=u0',
      'POST /v1/experiments',
      'POST /v1/experiments/exp-docs/start',
      'POST /v1/recommendations',
      'POST /v1/experiments/exp-docs/stop',
      'POST /v1/recommendations',
    ]);
    for (const e of examples) {
      const res = await fetch(`${rec.app.httpUrl}${e.path}`, {
        method: e.method,
        headers: e.body === undefined ? {} : { 'content-type': 'application/json' },
        body: e.body === undefined ? undefined : JSON.stringify(e.body),
      });
      const answer = (await res.json()) as { items?: { itemId: string }[] };
      expect({ example: `${e.method} ${e.path}`, status: res.status }).toEqual({
        example: `${e.method} ${e.path}`,
        status: e.status,
      });
      expect(answer).toMatchObject(e.expected as object);
      if (res.status === 200 && answer.items) expect(answer.items.length).toBeGreaterThan(0);
    }
  }, 30_000);

  it('swaps to a newly promoted model under load without failing or stalling a request', async () => {
    const m2 = training.register('m2', 2, 'item-knn', await fitArtifact('item-knn', { neighbours: 5 }));
    const served = new Set<string>();
    let failures = 0;
    let running = true;
    const latencies: number[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let n = 0; running; n++) {
          const started = performance.now();
          await recommend({ userId: `u${(w * 7 + n) % 30}`, k: 5, sessionItemIds: [`i${n % 20}`] }).then(
            (a) => served.add(a.modelId),
            () => failures++,
          );
          latencies.push(performance.now() - started);
        }
      }),
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      training.championId = 'm2';
      await fs.bus.publish(
        'models.v1.promoted',
        {
          modelId: 'm2',
          version: 2,
          algorithm: 'item-knn',
          checksum: `sha256:${m2.sha256}`,
          artifactUri: 'grpc://training/models/m2',
          trainedUntil: new Date().toISOString(),
          metrics: {},
          reason: 'beat_champion',
          promotedAt: new Date().toISOString(),
        },
        { msgId: 'promoted-m2' },
      );
      await eventually(
        async () => [served.has('m2'), rec.app.app.get(ModelHolder).status()],
        ([yes]) => yes === true,
        'answers from the new model',
        10_000,
      );
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      running = false;
      await load;
    }
    expect(failures).toBe(0);
    expect([...served].sort()).toEqual(['m1', 'm2']);
    expect(latencies.length).toBeGreaterThan(50);
  }, 30_000);

  it('assigns experiment variants stickily, in their shares, and serves each variant its treatment', async () => {
    const created = await rpc.call<recommendationV1.CreateExperimentResponse>('CreateExperiment', {
      experiment: {
        experimentId: 'exp-popular',
        name: 'Popular vs pipeline',
        placements: ['home-top'],
        variants: [
          { variantId: 'control', trafficBps: 5000, treatment: {} },
          { variantId: 'popular', trafficBps: 5000, treatment: { strategy: 'STRATEGY_POPULAR' } },
        ],
      },
    });
    expect(created.experiment?.state).toBe('EXPERIMENT_STATE_DRAFT');
    await rpc.call('StartExperiment', { experimentId: 'exp-popular' });
    const counts = new Map<string, number>();
    for (let n = 0; n < 200; n++) {
      const r = {
        sessionId: `visitor-${n}`,
        sessionItemIds: ['i4'],
        k: 3,
        context: { placement: 'home-top', page: '', device: '', locale: '' },
      };
      const a = await recommend(r);
      const again = await recommend(r);
      expect(again.assignment).toEqual(a.assignment);
      const variant = a.assignment!.variantId;
      counts.set(variant, (counts.get(variant) ?? 0) + 1);
      if (variant === 'popular') {
        expect(a.items.every((i) => i.source === recommendationV1.RecommendationSource.POPULAR)).toBe(true);
      }
    }
    // 200 visitors, 50/50: within 35%-65% (beyond that is 1 in 10,000 for a fair split).
    expect(counts.get('control')).toBeGreaterThan(70);
    expect(counts.get('popular')).toBeGreaterThan(70);
    // Another placement is not in the experiment.
    const elsewhere = await recommend({
      sessionId: 'visitor-1',
      sessionItemIds: ['i4'],
      k: 3,
      context: { placement: 'pdp', page: '', device: '', locale: '' },
    });
    expect(elsewhere.assignment ?? undefined).toBeUndefined();
    await rpc.call('StopExperiment', { experimentId: 'exp-popular' });
  }, 30_000);

  it('keeps answering when the feature store is down, from what it last knew, marked degraded', async () => {
    const before = await recommend({ userId: 'u5', k: 4 });
    expect(before.degraded).toBe(false);
    await fs.app.close();
    fsStopped = true;
    const during = await recommend({ userId: 'u5', k: 4, diversity: 0.1 });
    expect(during.degraded).toBe(true);
    expect(during.degradations.map((d) => d.component)).toContain('feature-store');
    expect(during.items.length).toBeGreaterThan(0);
    const anon = await recommend({ sessionId: 'anon-2', sessionItemIds: ['i4'], k: 3 });
    expect(anon.items.length).toBeGreaterThan(0);
  });
});

/** Each example of a doc: ```http METHOD path```, then an optional ```json body```, then ```json expect <status>```. */
function docExamples(markdown: string) {
  const pattern =
    /```http\n(GET|POST) (\S+)\n```\s*(?:```json\n([\s\S]*?)```\s*)?```json expect (\d{3})\n([\s\S]*?)```/g;
  return [...markdown.matchAll(pattern)].map((m) => ({
    method: m[1],
    path: m[2],
    body: m[3] === undefined ? undefined : (JSON.parse(m[3]) as unknown),
    status: Number(m[4]),
    expected: JSON.parse(m[5]) as unknown,
  }));
}

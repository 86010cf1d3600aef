import { DynamicModule, Module } from '@nestjs/common';
import { ModelPromotedV1 } from '@app/contracts';
import { PlatformModule } from '@app/platform/platform';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { ModelHolder } from '../src/application/model-holder.service';
import { ModelsModule } from '../src/models.module';
import { recommendationConfigSchema } from '../src/recommendation.config';
import { fitArtifact, StoredModel, TrainingStandIn } from './training.stand-in';

@Module({})
class ModelsTestModule {
  static register(env: Record<string, string>): DynamicModule {
    return {
      module: ModelsTestModule,
      imports: [
        PlatformModule.forRoot({ app: 'recommendation', schema: recommendationConfigSchema, env }),
        ModelsModule,
      ],
    };
  }
}

const promotion = (m: StoredModel, reason: ModelPromotedV1['reason'] = 'beat_champion'): ModelPromotedV1 => ({
  modelId: m.modelId,
  version: m.version,
  algorithm: m.algorithm,
  checksum: `sha256:${m.sha256}`,
  artifactUri: `db://artifacts/${m.modelId}`,
  trainedUntil: '2026-11-01T00:00:00.000Z',
  metrics: { 'ndcg@10': 0.1 * m.version },
  reason,
  promotedAt: new Date().toISOString(),
});

describe('model lifecycle (recommendation)', () => {
  const training = new TrainingStandIn();
  let a: TestApp;
  let b: TestApp;
  let holderA: ModelHolder;
  let holderB: ModelHolder;
  const models: Record<string, StoredModel> = {};

  /** What training does on a promotion: the registry's champion changes, then the event goes out. */
  const promote = (m: StoredModel, reason?: ModelPromotedV1['reason']) => {
    training.championId = m.modelId;
    return publish(m, reason);
  };
  const publish = (m: StoredModel, reason?: ModelPromotedV1['reason']) =>
    a.bus.publish('models.v1.promoted', promotion(m, reason), { msgId: `promoted-${m.modelId}` });
  const serving = (h: ModelHolder) => h.current()?.modelId;
  const bothServe = (modelId: string, timeoutMs = 10_000) =>
    eventually(
      async () => [serving(holderA), serving(holderB)],
      (ids) => ids.every((id) => id === modelId),
      `both replicas to serve ${modelId}`,
      timeoutMs,
    );

  beforeAll(async () => {
    models.m1 = training.register('m1', 1, 'popularity', await fitArtifact('popularity'));
    models.m2 = training.register('m2', 2, 'item-knn', await fitArtifact('item-knn'));
    training.championId = 'm1';
    await training.start();
    const env = {
      TRAINING_GRPC_URL: training.address,
      RECOMMENDATION_TRAINING_TIMEOUT_MS: '1000',
      RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS: '1',
    };
    a = await startTestApp('recommendation', (e) => ModelsTestModule.register(e), env);
    // A second replica on the same bus namespace. It never asks for the champion after start-up, so what moves it
    // is the event alone; replica A also checks every second, so it converges after missed events.
    b = await startTestApp('recommendation', (e) => ModelsTestModule.register(e), {
      ...env,
      NATS_NAMESPACE: a.namespace,
      RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS: '0',
    });
    holderA = a.app.app.get(ModelHolder);
    holderB = b.app.app.get(ModelHolder);
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await training.stop();
  });

  it('loads the champion at start-up on every replica', async () => {
    await bothServe('m1');
    const m = holderA.current()!;
    expect(m).toMatchObject({
      modelId: 'm1',
      version: 1,
      algorithm: 'popularity',
      checksum: `sha256:${models.m1.sha256}`,
    });
    expect(m.recommender.recommend({ userId: 'u1' }, 5)).toHaveLength(5);
    expect(holderA.status()).toEqual({ state: 'ready', modelId: 'm1' });
  });

  it('swaps to a promoted model on every replica when models.v1.promoted arrives', async () => {
    await promote(models.m2);
    await bothServe('m2');
    expect(holderB.current()).toMatchObject({ version: 2, algorithm: 'item-knn' });
    expect(holderA.current()!.recommender.similarItems('i0', 3).length).toBeGreaterThan(0);
  });

  it('ignores a promotion of the version it already serves or an older one', async () => {
    const downloads = training.artifactRequests.get('m1') ?? 0;
    await publish(models.m1); // stale: older than m2 and not a rollback
    await publish(models.m2);
    await new Promise((r) => setTimeout(r, 300));
    expect(serving(holderA)).toBe('m2');
    expect(training.artifactRequests.get('m1') ?? 0).toBe(downloads);
  });

  it('refuses an artifact whose checksum does not match and keeps serving the old model', async () => {
    const bytes = await fitArtifact('popularity', {});
    models.m3 = training.register('m3', 3, 'popularity', bytes);
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 1] ^= 0xff;
    models.m3.servedBytes = corrupt;
    await promote(models.m3);
    const status = await eventually(
      async () => holderA.status(),
      (s) => /m3.*hashes to sha256:/.test(s.lastError ?? ''),
      'the corrupt artifact to be refused',
    );
    expect(status).toMatchObject({ state: 'ready', modelId: 'm2' });
    expect(serving(holderA)).toBe('m2');
    expect(serving(holderB)).toBe('m2');
    expect(holderB.status().lastError).toMatch(/m3.*hashes to sha256:/);
    expect(holderA.current()!.recommender.recommend({ userId: 'u2' }, 3)).toHaveLength(3);
  });

  it('keeps serving through a training outage and converges on the newer champion by the periodic check', async () => {
    await training.stop();
    models.m4 = training.register('m4', 4, 'item-knn', await fitArtifact('item-knn', { neighbours: 5 }));
    training.championId = 'm4'; // promoted while this service could not hear it (no event)
    const down = await eventually(
      async () => holderA.status(),
      (s) => /champion check failed/.test(s.lastError ?? ''),
      'the failing champion check to show in the status',
    );
    expect(down).toMatchObject({ state: 'ready', modelId: 'm2' });
    expect(holderA.current()!.recommender.recommend({ userId: 'u3' }, 3)).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 1500)); // a few more failed checks (and an open breaker)
    expect(serving(holderA)).toBe('m2');

    await training.start();
    // The breaker half-opens within 5 s and the channel reconnects within 5 s.
    await eventually(
      async () => serving(holderA),
      (id) => id === 'm4',
      'replica A to load m4 by its check',
      30_000,
    );
    expect(holderA.status()).toEqual({ state: 'ready', modelId: 'm4' });
    expect(serving(holderB)).toBe('m2'); // B checks nothing: without an event it stays put (and keeps serving)
  }, 60_000);

  it('fails no request while a promotion swaps the model under load', async () => {
    models.m5 = training.register('m5', 5, 'popularity', await fitArtifact('popularity'));
    const served = new Map<number, number>();
    let errors = 0;
    let calls = 0;
    let published = false;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !((served.get(5) ?? 0) > 1000 && calls >= 5000)) {
      try {
        const model = holderA.current()!;
        const items = model.recommender.recommend({ userId: `u${calls % 30}` }, 10);
        if (items.length === 0) throw new Error('empty answer');
        served.set(model.version, (served.get(model.version) ?? 0) + 1);
      } catch {
        errors++;
      }
      calls++;
      if (calls === 2000 && !published) {
        published = true;
        void promote(models.m5);
      }
      // Yield to I/O now and then so the event, the download and the swap can happen meanwhile.
      if (calls % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(errors).toBe(0);
    expect(calls).toBeGreaterThanOrEqual(5000);
    expect(served.get(4)).toBeGreaterThan(0);
    expect(served.get(5)).toBeGreaterThan(0);
    await bothServe('m5');
  }, 30_000);

  it('loads a specific non-champion version for experiments on first use and keeps it', async () => {
    models.m6 = training.register('m6', 6, 'item-knn', await fitArtifact('item-knn', { neighbours: 3 }));
    const variant = await holderA.byId('m6');
    expect(variant).toMatchObject({ modelId: 'm6', version: 6, algorithm: 'item-knn' });
    expect(variant!.recommender.recommend({ userId: 'u4' }, 3).length).toBeGreaterThan(0);
    expect(await holderA.byId('m6')).toBe(variant);
    expect(training.artifactRequests.get('m6')).toBe(1);
    expect(serving(holderA)).toBe('m5'); // the champion is untouched
    expect(await holderA.byId('m5')).toBe(holderA.current());
    expect(await holderA.byId('no-such-model')).toBeUndefined();
  });

  it('resumes an interrupted artifact download from the last byte received', async () => {
    models.m7 = training.register('m7', 7, 'item-knn', await fitArtifact('item-knn', { neighbours: 4 }));
    expect(models.m7.bytes.length).toBeGreaterThan(3 * training.chunkSize);
    training.breakAfterChunks = 2;
    const variant = await holderA.byId('m7');
    expect(variant).toMatchObject({ modelId: 'm7', checksum: `sha256:${models.m7.sha256}` });
    expect(training.artifactRequests.get('m7')).toBe(2);
  });

  it('honours a rollback to an older version, reusing a former champion it still holds', async () => {
    const downloads = training.artifactRequests.get('m4') ?? 0;
    await promote(models.m4, 'rollback');
    await bothServe('m4');
    expect(training.artifactRequests.get('m4')).toBe(downloads + 1); // replica B's; A still held m4
  });
});

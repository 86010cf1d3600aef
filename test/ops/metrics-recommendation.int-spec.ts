import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { freePort, startTcpProxy, TcpProxy } from '@app/testing';
import { DriftMonitor } from '../../apps/recommendation/src/application/drift.monitor';
import { ModelHolder } from '../../apps/recommendation/src/application/model-holder.service';
import { RecommendationModule } from '../../apps/recommendation/src/recommendation.module';
import { fitArtifact, tinyHistory, TrainingStandIn } from '../../apps/recommendation/test/training.stand-in';
import { scrape, select, total } from './prometheus-text';

/*
 * The recommendation service's own metrics (the model serving, the drift of its inputs) and the circuit
 * breaker metrics every service has, with the training registry behind a TCP proxy the test can cut.
 */
describe('recommendation and circuit-breaker metrics (real NATS and PostgreSQL, training stand-in)', () => {
  const training = new TrainingStandIn();
  let proxy: TcpProxy;
  let rec: TestApp;

  beforeAll(async () => {
    training.register('m1', 1, 'item-knn', await fitArtifact('item-knn'));
    training.championId = 'm1';
    await training.start();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(training.address.split(':')[1]) });
    rec = await startTestApp('recommendation', (env) => RecommendationModule.register({ env }), {
      TRAINING_GRPC_URL: `127.0.0.1:${proxy.port}`,
      FEATURE_STORE_GRPC_URL: `127.0.0.1:${await freePort()}`,
      RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS: '1',
      RECOMMENDATION_TRAINING_TIMEOUT_MS: '500',
    });
    const holder = rec.app.app.get(ModelHolder);
    await eventually(
      async () => holder.current()?.modelId,
      (id) => id === 'm1',
      'the champion to load',
    );
  });

  afterAll(async () => {
    await rec?.close();
    await proxy?.close();
    await training.stop();
  });

  it('describes the model serving: id, version, algorithm, and the age of its training data', async () => {
    const { samples } = await scrape(rec.app.httpUrl);
    expect(select(samples, 'recommendation_model_info')).toEqual([
      expect.objectContaining({
        labels: { app: 'recommendation', model_id: 'm1', version: '1', algorithm: 'item-knn' },
        value: 1,
      }),
    ]);
    expect(total(samples, 'recommendation_model_version')).toBe(1);
    // The stand-in registry gives no data window: the age counts from the newest training interaction.
    const newest = Math.max(...tinyHistory().map((r) => r.timestamp));
    const age = total(samples, 'recommendation_model_training_data_age_seconds');
    expect(Math.abs(age - (Date.now() / 1000 - newest))).toBeLessThan(120);
  });

  it('reports no drift until enough inputs were sampled, ~0 for training-like inputs, more for shifted ones', async () => {
    const monitor = rec.app.app.get(DriftMonitor);
    await monitor.ready();
    const before = await scrape(rec.app.httpUrl);
    expect(select(before.samples, 'recommendation_input_drift')).toEqual([]);
    expect(total(before.samples, 'recommendation_input_drift_samples')).toBe(0);

    // Each shopper's history as it was in training, every user four times (one request in four is sampled).
    const histories = new Map<string, string[]>();
    for (const r of tinyHistory()) histories.set(r.userId, [...(histories.get(r.userId) ?? []), r.itemId]);
    for (let round = 0; round < 2; round++) {
      for (const items of histories.values()) for (let i = 0; i < 4; i++) monitor.observe(items);
    }
    const alike = await scrape(rec.app.httpUrl);
    const drift = (s: typeof alike.samples, measure: string) => total(s, 'recommendation_input_drift', { measure });
    expect(total(alike.samples, 'recommendation_input_drift_samples')).toBe(2 * 30 * 6);
    expect(drift(alike.samples, 'psi')).toBeCloseTo(0, 9);
    expect(drift(alike.samples, 'js_distance')).toBeCloseTo(0, 6);
    expect(drift(alike.samples, 'unseen_item_share')).toBe(0);

    // Now shoppers bring items the model never saw.
    for (let i = 0; i < 4 * 40; i++) monitor.observe([`new-${i % 7}`, `new-${(i + 3) % 7}`]);
    const shifted = await scrape(rec.app.httpUrl);
    expect(drift(shifted.samples, 'unseen_item_share')).toBeCloseTo(80 / (360 + 80), 9);
    expect(drift(shifted.samples, 'psi')).toBeGreaterThan(0.25);
    expect(drift(shifted.samples, 'js_distance')).toBeGreaterThan(drift(alike.samples, 'js_distance'));
  });

  it('shows a breaker opening while its dependency is down and closing once it is back', async () => {
    const state = (s: Awaited<ReturnType<typeof scrape>>) =>
      select(s.samples, 'circuit_breaker_state', { breaker: 'training.model' })[0]?.value;
    const events = (s: Awaited<ReturnType<typeof scrape>>, event: string) =>
      total(s.samples, 'circuit_breaker_events_total', { breaker: 'training.model', event });
    const healthy = await scrape(rec.app.httpUrl);
    expect(state(healthy)).toBe(0);
    expect(events(healthy, 'success')).toBeGreaterThan(0);
    // Every breaker of the service has a state, the feature store's and the artifact download's included.
    expect(select(healthy.samples, 'circuit_breaker_state').map((s) => s.labels.breaker)).toEqual(
      expect.arrayContaining(['training.model', 'training.artifact']),
    );

    await proxy.cut(); // the champion check runs every second and now fails
    const open = await eventually(
      () => scrape(rec.app.httpUrl),
      (s) => state(s) === 2,
      'the training.model breaker to open',
      20_000,
    );
    expect(events(open, 'failure')).toBeGreaterThanOrEqual(1);
    expect(events(open, 'open')).toBeGreaterThanOrEqual(1);

    await proxy.restore();
    const closed = await eventually(
      () => scrape(rec.app.httpUrl),
      (s) => state(s) === 0,
      'the training.model breaker to close again',
      45_000,
    );
    expect(events(closed, 'close')).toBeGreaterThanOrEqual(1);
    expect(events(closed, 'half_open')).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

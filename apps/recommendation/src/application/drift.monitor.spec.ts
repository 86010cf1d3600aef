import { MetricsRegistry } from '@app/platform/metrics';
import { defaultRegistry, InteractionDataset, type Interaction } from '@app/recsys';
import { ServingMetrics } from '../infra/serving.metrics';
import { DriftMonitor } from './drift.monitor';
import type { LoadedModel } from './model-holder.service';

/** Item i<n> is chosen by n users (i0 by 8, i1 by 4, i2 by 2, i3 by 1, i4 by 1): a skewed catalogue. */
function skewed(): Interaction[] {
  const chosenBy: Record<string, number> = { i0: 8, i1: 4, i2: 2, i3: 1, i4: 1 };
  return Object.entries(chosenBy).flatMap(([itemId, users]) =>
    Array.from({ length: users }, (_, u) => ({ userId: `u${u}`, itemId, timestamp: 1_700_000_000 + u })),
  );
}

async function loaded(modelId: string, rows: Interaction[]): Promise<LoadedModel> {
  const recommender = defaultRegistry.create('popularity', {});
  await recommender.fit(InteractionDataset.fromInteractions(rows));
  return { modelId, version: 1, algorithm: 'popularity', checksum: '', recommender, loadedAt: new Date() };
}

describe(DriftMonitor.name, () => {
  let model: LoadedModel | undefined;
  const holder = { current: () => model };
  const monitor = (options: ConstructorParameters<typeof DriftMonitor>[2]) =>
    new DriftMonitor(holder, new ServingMetrics(new MetricsRegistry('recommendation', { defaultMetrics: false })), {
      minSamples: 1,
      ...options,
    });

  beforeEach(async () => {
    model = await loaded('m1', skewed());
  });

  it('measures no drift when inputs follow the training popularity, and counts unseen items', async () => {
    const m = monitor({ sampleEvery: 1 });
    await m.ready();
    // The 16 training interactions, one request per user-item pair.
    for (const r of skewed()) m.observe([r.itemId]);
    expect(m.measures()).toEqual({ psi: 0, jsDistance: 0, unseenShare: 0, samples: 16 });
    for (let i = 0; i < 4; i++) m.observe(['never-seen']);
    const shifted = m.measures()!;
    expect(shifted.samples).toBe(20);
    expect(shifted.unseenShare).toBeCloseTo(0.2, 12);
    expect(shifted.psi).toBeGreaterThan(1);
  });

  it('samples one request in `sampleEvery` and at most the newest `maxItemsPerRequest` items of it', async () => {
    const m = monitor({ sampleEvery: 3, maxItemsPerRequest: 2 });
    await m.ready();
    for (let i = 0; i < 7; i++) m.observe(['i4', 'i3', 'i0']); // calls 3 and 6 are sampled: i3 and i0 each time
    expect(m.measures()?.samples).toBe(4);
    m.observe([]); // nothing to count: not a call
    m.observe(['i4']); // call 8
    m.observe(['i1', 'i2']); // call 9, sampled
    expect(m.measures()?.samples).toBe(6);
  });

  it('starts a new window and reference when the champion changes, built over several event-loop turns', async () => {
    const m = monitor({ sampleEvery: 1, usersPerTurn: 2 });
    await m.ready();
    m.observe(['i0', 'i1']);
    expect(m.measures()?.samples).toBe(2);

    // The new model was trained on a flat catalogue: i0 is now one item among many.
    model = await loaded(
      'm2',
      ['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9'].map((itemId, u) => ({
        userId: `v${u}`,
        itemId,
        timestamp: 1_700_000_000,
      })),
    );
    m.observe(['i0']); // arrives while the reference is being built: not counted
    expect(m.measures()).toBeUndefined();
    await m.ready();
    expect(m.measures()?.samples).toBe(0);
    for (const id of ['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9']) m.observe([id]);
    expect(m.measures()).toEqual({ psi: 0, jsDistance: 0, unseenShare: 0, samples: 10 });

    model = undefined;
    m.observe(['i0']);
    expect(m.measures()).toBeUndefined();
  });
});

import { splitDataset } from '../evaluation/dataset.splits';
import { evaluateRecommender } from '../evaluation/recommender.evaluator';
import { plantedGroups } from '../testing/planted.data';
import { defaultRegistry } from './algorithm.registry';
import { HybridRecommender, standardise } from './hybrid.recommender';

describe(HybridRecommender.name, () => {
  const planted = plantedGroups({ users: 160, items: 48, seed: 12 });
  const { train, test } = splitDataset(planted.dataset, { method: 'stratified-user', ratio: 0.75, seed: 2 });

  it('tunes source weights on validation data, favouring the informative source', async () => {
    const model = defaultRegistry.create('hybrid', {
      sources: [{ algorithm: 'popularity' }, { algorithm: 'item-knn' }],
      validationUsers: 200,
    });
    const report = await model.fit(train);
    const weights = Object.fromEntries(
      report
        .notes![0].replace('weights ', '')
        .split(', ')
        .map((kv) => kv.split('=')),
    );
    expect(Number(weights['item-knn'])).toBeGreaterThan(Number(weights.popularity));
    const knn = defaultRegistry.create('item-knn');
    await knn.fit(train);
    const blended = evaluateRecommender(model, train, test, { k: 5 }).ndcg;
    const single = evaluateRecommender(knn, train, test, { k: 5 }).ndcg;
    expect(blended).toBeGreaterThan(single - 0.02);
  });

  it('rejects unknown sources when built', () => {
    expect(() => defaultRegistry.create('hybrid', { sources: [{ algorithm: 'nope' }] })).toThrow(
      /unknown algorithm "nope"/,
    );
    expect(() => defaultRegistry.create('hybrid', { sources: [] })).toThrow(/non-empty/);
  });
});

describe(standardise.name, () => {
  it('maps finite scores to mean 0, sd 1, and non-finite ones to the minimum', () => {
    const z = standardise(Float32Array.from([1, 2, 3, -Infinity]));
    expect(z[0]).toBeCloseTo(-Math.sqrt(1.5), 5);
    expect(z[1]).toBeCloseTo(0, 5);
    expect(z[3]).toBeCloseTo(z[0], 5);
  });
});

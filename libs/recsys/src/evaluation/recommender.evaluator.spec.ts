import { InteractionDataset } from '../core/interaction.dataset';
import { PopularityRecommender } from '../models/popularity.recommender';
import { evaluateRecommender } from './recommender.evaluator';

describe(evaluateRecommender.name, () => {
  // Items a..e get indices 0..4. Popularity on train: a 3 users, b 2, c 1, d and e 0.
  const rows = [
    ['u1', 'a'],
    ['u2', 'a'],
    ['u2', 'b'],
    ['u3', 'a'],
    ['u3', 'b'],
    ['u3', 'c'],
    ['u1', 'b'], // test rows from here
    ['u1', 'd'],
    ['u2', 'c'],
    ['u3', 'a'],
    ['u4', 'e'],
  ];
  const data = InteractionDataset.fromInteractions(
    rows.map(([userId, itemId], t) => ({ userId, itemId, timestamp: t })),
    { items: ['a', 'b', 'c', 'd', 'e'].map((itemId) => ({ itemId })) },
  );
  const train = data.subset([0, 1, 2, 3, 4, 5]);
  const test = data.subset([6, 7, 8, 9, 10]);

  it('ranks all unseen items and averages hand-computed metrics over warm users', async () => {
    const model = new PopularityRecommender();
    await model.fit(train);
    const result = evaluateRecommender(model, train, test, { k: 2 });
    // u1 (seen a): list [b, c], relevant {b, d}: P 1/2, R 1/2, NDCG 1/(1 + 1/log2 3).
    // u2 (seen a, b): list [c, d], relevant {c}: P 1/2, R 1, NDCG 1.
    // u3: its only test item was already seen; u4 has no training history.
    expect(result.users).toBe(2);
    expect(result.usersWithoutNewItems).toBe(1);
    expect(result.coldUsers).toBe(1);
    expect(result.precision).toBeCloseTo(0.5, 10);
    expect(result.recall).toBeCloseTo(0.75, 10);
    expect(result.ndcg).toBeCloseTo((1 / (1 + 1 / Math.log2(3)) + 1) / 2, 10);
    expect(result.hitRate).toBeCloseTo(1, 10);
    expect(result.coverage).toBeCloseTo(3 / 5, 10); // b, c, d
  });

  it('refuses a model fitted on another item space', async () => {
    const other = InteractionDataset.fromInteractions([{ userId: 'x', itemId: 'y', timestamp: 0 }]);
    const model = new PopularityRecommender();
    await model.fit(other);
    expect(() => evaluateRecommender(model, train, test, { k: 2 })).toThrow(/not fitted on this training set/);
  });
});

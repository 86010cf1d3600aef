import { defaultRegistry, evaluateRecommender, InteractionDataset, splitDataset } from '@app/recsys';
import { plantedGroups } from '@app/recsys/testing/planted.data';
import { evaluateOnHoldout } from './holdout.evaluator';

/** Users interact over ten days, so a temporal split holds out each user's latest items. */
function spreadOverTime(data: ReturnType<typeof plantedGroups>) {
  const byUser = new Map<string, number>();
  return data.interactions.map((x) => {
    const k = byUser.get(x.userId) ?? 0;
    byUser.set(x.userId, k + 1);
    return { ...x, timestamp: 1_700_000_000 + k * 86_400 + Number(x.userId.slice(1)) * 60 };
  });
}

describe(evaluateOnHoldout.name, () => {
  const rows = spreadOverTime(plantedGroups({ users: 60, items: 30, perUser: 8, seed: 3 }));
  const data = InteractionDataset.fromInteractions(rows);
  const { train, test } = splitDataset(data, { method: 'temporal', ratio: 0.8, seed: 1 });

  it.each(['popularity', 'ease', 'item-knn'])(
    'gives the library evaluator’s numbers for a %s model fitted on the same training set',
    async (algorithm) => {
      const model = defaultRegistry.create(algorithm);
      await model.fit(train);
      const library = evaluateRecommender(model, train, test, { k: 10 });
      const ours = Object.fromEntries(evaluateOnHoldout(model, train, test, 10).map((m) => [m.name, m.value]));
      expect(ours.ndcg).toBeCloseTo(library.ndcg, 10);
      expect(ours.precision).toBeCloseTo(library.precision, 10);
      expect(ours.recall).toBeCloseTo(library.recall, 10);
      expect(ours.hit_rate).toBeCloseTo(library.hitRate, 10);
      expect(ours.coverage).toBeCloseTo(library.coverage, 10);
    },
  );

  it('scores a champion fitted on another training set (other users, other indices) through its ids', async () => {
    // The champion never saw a third of the users (they reach it only as fresh history) and indexes items in
    // another order; its metrics still land on the new holdout's items.
    const trainRows = Array.from({ length: train.size }, (_, p) => ({
      userId: train.users.idOf(train.userIndex[p]),
      itemId: train.items.idOf(train.itemIndex[p]),
      timestamp: train.timestamp[p],
    }));
    const older = InteractionDataset.fromInteractions(
      trainRows.filter((r) => Number(r.userId.slice(1)) % 3 !== 0).reverse(),
    );
    expect(older.items.idOf(0)).not.toBe(train.items.idOf(0));
    const champion = defaultRegistry.create('ease');
    await champion.fit(older);
    const ndcg = evaluateOnHoldout(champion, train, test, 10).find((m) => m.name === 'ndcg')!.value;
    expect(ndcg).toBeGreaterThan(0.05);
    // Popularity, blind to the planted groups, scores lower on the same holdout.
    const popularity = defaultRegistry.create('popularity');
    await popularity.fit(older);
    const baseline = evaluateOnHoldout(popularity, train, test, 10).find((m) => m.name === 'ndcg')!.value;
    expect(ndcg).toBeGreaterThan(baseline);
  });
});

import { InteractionDataset } from '../core/interaction.dataset';
import { ItemKnnRecommender } from './item-knn.recommender';

const DAY = 86_400;
// a: users 1,2,3,4; b: users 1,2; c: users 3,4,5; d: user 5. Co-occurrences: a·b 2, a·c 2, c·d 1.
const rows: [string, string][] = [
  ['1', 'a'],
  ['2', 'a'],
  ['3', 'a'],
  ['4', 'a'],
  ['1', 'b'],
  ['2', 'b'],
  ['3', 'c'],
  ['4', 'c'],
  ['5', 'c'],
  ['5', 'd'],
];
const data = InteractionDataset.fromInteractions(rows.map(([userId, itemId], t) => ({ userId, itemId, timestamp: t })));

describe(ItemKnnRecommender.name, () => {
  it('computes cosine, Jaccard and lift from co-occurrence counts', async () => {
    const expectSimilar = async (similarity: 'cosine' | 'jaccard' | 'lift', b: number, c: number): Promise<void> => {
      const model = new ItemKnnRecommender({ similarity, shrink: 0, neighbours: 0 });
      await model.fit(data);
      const sims = Object.fromEntries(model.similarItems('a', 3).map((s) => [s.itemId, s.score]));
      expect(sims.b).toBeCloseTo(b, 6);
      expect(sims.c).toBeCloseTo(c, 6);
      expect(sims.d).toBeUndefined(); // never together with a
    };
    await expectSimilar('cosine', 2 / Math.sqrt(4 * 2), 2 / Math.sqrt(4 * 3));
    await expectSimilar('jaccard', 2 / (4 + 2 - 2), 2 / (4 + 3 - 2));
    await expectSimilar('lift', 2 / (4 * 2), 2 / (4 * 3));
  });

  it('keeps only the strongest neighbours and drops rare pairs', async () => {
    const top1 = new ItemKnnRecommender({ neighbours: 1, shrink: 0 });
    await top1.fit(data);
    expect(top1.similarItems('a', 5).map((s) => s.itemId)).toEqual(['b']);
    const strict = new ItemKnnRecommender({ minCooccurrence: 2, shrink: 0 });
    await strict.fit(data);
    expect(strict.similarItems('d', 5)).toEqual([]);
  });

  it('lets recent history weigh more with time decay (SAR affinity)', async () => {
    const model = new ItemKnnRecommender({ timeDecayDays: 1, shrink: 0 });
    await model.fit(data, { now: 10 * DAY });
    // b seen 10 days ago, c just now: c's neighbour d should beat b's neighbour... both point at a; compare a's reasons.
    const e = model.explain({ items: ['b', 'c'], timestamps: [0, 10 * DAY] }, 'a');
    const byItem = Object.fromEntries(e.contributions.map((c) => [c.id, c.weight]));
    expect(byItem.c / byItem.b).toBeGreaterThan(500); // 2^10 decay against a similarity ratio below 2
  });
});

import { plantedGroups } from '../testing/planted.data';
import { BprRecommender } from './bpr.recommender';

describe(BprRecommender.name, () => {
  const { dataset } = plantedGroups({ users: 80, items: 32, seed: 9 });

  it('is deterministic for a seed and differs across seeds', async () => {
    const fit = async (seed: number): Promise<BprRecommender> => {
      const m = new BprRecommender({ factors: 8, epochs: 5, seed });
      await m.fit(dataset);
      return m;
    };
    const [a, b, c] = await Promise.all([fit(1), fit(1), fit(2)]);
    expect(a.recommend({ userId: 'u3' }, 5)).toEqual(b.recommend({ userId: 'u3' }, 5));
    expect(a.recommend({ userId: 'u3' }, 5)).not.toEqual(c.recommend({ userId: 'u3' }, 5));
  });

  it('explains a session exactly under fold-in, and says when it only approximates', async () => {
    const model = new BprRecommender({ factors: 8, epochs: 20 });
    await model.fit(dataset);
    const session = { items: ['i2', 'i6'] };
    const top = model.recommend(session, 1)[0];
    const e = model.explain(session, top.itemId, 10);
    expect(e.approximate).toBeUndefined();
    expect(e.contributions.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(top.score, 4);
    expect(model.explain({ userId: 'u2' }, top.itemId).approximate).toBe(true);
  });
});

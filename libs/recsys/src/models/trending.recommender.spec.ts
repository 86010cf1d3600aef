import { popularityData } from '../testing/popularity.data';
import { TrendingRecommender } from './trending.recommender';

const data = popularityData();

describe(TrendingRecommender.name, () => {
  it('lets recent interest beat older, larger interest', async () => {
    const model = new TrendingRecommender({ halfLifeDays: 7 });
    await model.fit(data);
    const recs = model.recommend({ items: [] }, 3);
    expect(recs.map((r) => r.itemId)).toEqual(['new', 'heavy', 'old']);
    expect(recs[0].score).toBeCloseTo(2, 6); // two events, age 0
    expect(model.explain({}, 'new').contributions[0]).toMatchObject({ kind: 'trend' });
  });

  it('turns into plain event counts with a very long half-life', async () => {
    const model = new TrendingRecommender({ halfLifeDays: 1e9 });
    await model.fit(data);
    expect(model.recommend({}, 1)[0].itemId).toBe('heavy');
  });
});

import { InteractionDataset } from '../core/interaction.dataset';
import { TrendingRecommender } from './trending.recommender';

const DAY = 86_400;
// "old" was bought by 3 users 60 days ago; "new" by 2 users today; "heavy" 5 times by one user.
const data = InteractionDataset.fromInteractions([
  { userId: 'a', itemId: 'old', timestamp: 0 },
  { userId: 'b', itemId: 'old', timestamp: 0 },
  { userId: 'c', itemId: 'old', timestamp: 0 },
  { userId: 'a', itemId: 'new', timestamp: 60 * DAY },
  { userId: 'b', itemId: 'new', timestamp: 60 * DAY },
  ...Array.from({ length: 5 }, (_, k) => ({ userId: 'd', itemId: 'heavy', timestamp: 30 * DAY + k })),
]);

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

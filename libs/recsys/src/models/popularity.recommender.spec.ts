import { InteractionDataset } from '../core/interaction.dataset';
import { PopularityRecommender } from './popularity.recommender';

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

describe(PopularityRecommender.name, () => {
  it('ranks by distinct users by default, by summed weight on request', async () => {
    const byUsers = new PopularityRecommender();
    await byUsers.fit(data);
    expect(byUsers.recommend({ userId: 'zz' }, 3).map((r) => r.itemId)).toEqual(['old', 'new', 'heavy']);
    const byWeight = new PopularityRecommender({ by: 'weight' });
    await byWeight.fit(data);
    expect(byWeight.recommend({ userId: 'zz' }, 1)[0]).toEqual({ itemId: 'heavy', score: 5 });
  });

  it('rejects unknown parameters and bad values, all at once', () => {
    expect(() => new PopularityRecommender({ by: 'clicks' as 'users', typo: 1 } as never)).toThrow(
      /unknown parameter "typo".*by must be one of users, weight/,
    );
  });
});

import { popularityData } from '../testing/popularity.data';
import { PopularityRecommender } from './popularity.recommender';

const data = popularityData();

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

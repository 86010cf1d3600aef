import { InteractionDataset } from '../core/interaction.dataset';
import { SessionKnnRecommender } from './session-knn.recommender';

describe(SessionKnnRecommender.name, () => {
  // Every user walks a → b → c → d, or x → y → z; "a" and "x" then co-occur for some users only far apart.
  const rows = [];
  for (let u = 0; u < 30; u++) {
    const path = u % 2 === 0 ? ['a', 'b', 'c', 'd'] : ['x', 'y', 'z'];
    path.forEach((itemId, k) => rows.push({ userId: `u${u}`, itemId, timestamp: u * 1000 + k }));
  }
  rows.push({ userId: 'bridge', itemId: 'a', timestamp: 1 }, { userId: 'bridge', itemId: 'z', timestamp: 2 });
  const data = InteractionDataset.fromInteractions(rows);

  it('predicts the next step of a sequence', async () => {
    const model = new SessionKnnRecommender({ window: 1 });
    await model.fit(data);
    expect(model.recommend({ items: ['a', 'b'] }, 1)[0].itemId).toBe('c');
  });

  it('weights the latest items most', async () => {
    const model = new SessionKnnRecommender({ window: 2, decay: 0.5 });
    await model.fit(data);
    // The session moved from the x-path to the a-path: a-path items lead.
    const recs = model.recommend({ items: ['x', 'y', 'a'] }, 2).map((r) => r.itemId);
    expect(recs[0]).toBe('b');
    const e = model.explain({ items: ['x', 'y', 'a'] }, 'b');
    expect(e.contributions[0]).toMatchObject({ kind: 'item', id: 'a' });
  });

  it('uses only the most recent items of a long history', async () => {
    const model = new SessionKnnRecommender({ window: 1, recentItems: 1 });
    await model.fit(data);
    const e = model.explain({ items: ['x', 'a'] }, 'b');
    expect(e.contributions.map((c) => c.id)).toEqual(['a']);
  });
});

import { plantedGroups } from '../testing/planted.data';
import { ContentRecommender, tokenize } from './content.recommender';

describe(ContentRecommender.name, () => {
  const planted = plantedGroups({ users: 60, items: 24, seed: 8, coldItemsPerGroup: 1 });

  it('recommends a never-bought item to users of its kind (cold start)', async () => {
    const model = new ContentRecommender();
    await model.fit(planted.dataset);
    const userId = 'u2'; // group 2
    const cold = 'cold-2-0';
    const recs = model.recommend({ userId }, planted.dataset.numItems);
    const rank = recs.findIndex((r) => r.itemId === cold);
    expect(rank).toBeGreaterThanOrEqual(0);
    const firstOtherGroup = recs.findIndex((r) => planted.groupOfItem(r.itemId) !== 2);
    expect(rank).toBeLessThan(firstOtherGroup);
  });

  it('explains with shared terms and the history items behind them', async () => {
    const model = new ContentRecommender();
    await model.fit(planted.dataset);
    const e = model.explain({ items: ['i3', 'i7'] }, 'i11', 20); // all group 3: "office"
    const terms = e.contributions.filter((c) => c.kind === 'attribute').map((c) => c.id);
    expect(terms).toEqual(['office', 'office']); // the title word and the category
    const items = e.contributions.filter((c) => c.kind === 'item').map((c) => c.id);
    expect(items.sort()).toEqual(['i3', 'i7']);
    // Both decompositions add up to the score.
    const sum = (kind: string): number =>
      e.contributions.filter((c) => c.kind === kind).reduce((s, c) => s + c.weight, 0);
    expect(sum('attribute')).toBeCloseTo(e.score, 5);
    expect(sum('item')).toBeCloseTo(e.score, 5);
  });

  it('answers a user without history with popular items', async () => {
    const model = new ContentRecommender();
    await model.fit(planted.dataset);
    const recs = model.recommend({ items: [] }, 3);
    expect(recs).toHaveLength(3);
    expect(model.explain({}, recs[0].itemId).contributions[0].kind).toBe('popularity');
  });
});

describe(tokenize.name, () => {
  it('lower-cases, drops stop words and numbers, strips plurals', () => {
    expect(tokenize('Set of 6 RED Lanterns, the GLASS jars; 12x')).toEqual(['red', 'lantern', 'glass', 'jar', '12x']);
  });
});

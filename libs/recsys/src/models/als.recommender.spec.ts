import { plantedGroups } from '../testing/planted.data';
import { AlsRecommender } from './als.recommender';

describe(AlsRecommender.name, () => {
  const { dataset } = plantedGroups({ users: 100, items: 40, seed: 4 });

  it('explains a folded-in session exactly (Hu et al. 2008, §5)', async () => {
    const model = new AlsRecommender({ factors: 8, lambda: 1, iterations: 10 });
    await model.fit(dataset);
    const query = { items: ['i1', 'i5', 'i9', 'i13'] };
    const top = model.recommend(query, 1)[0];
    const e = model.explain(query, top.itemId, 100);
    expect(e.contributions.map((c) => c.id).sort()).toEqual(['i1', 'i13', 'i5', 'i9']);
    expect(e.contributions.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(top.score, 4);
  });

  it('is deterministic for a seed', async () => {
    const a = new AlsRecommender({ factors: 8, seed: 3 });
    const b = new AlsRecommender({ factors: 8, seed: 3 });
    await a.fit(dataset);
    await b.fit(dataset);
    expect(a.recommend({ userId: 'u7' }, 5)).toEqual(b.recommend({ userId: 'u7' }, 5));
  });

  it('reports progress per sweep and stops when aborted', async () => {
    const stages: number[] = [];
    const controller = new AbortController();
    const model = new AlsRecommender({ factors: 4, iterations: 10 });
    const fit = model.fit(dataset, {
      signal: controller.signal,
      onProgress: (p) => {
        stages.push(p.fraction);
        if (stages.length === 3) controller.abort(new Error('stop'));
      },
    });
    await expect(fit).rejects.toThrow('stop');
    expect(stages).toEqual([0, 0.1, 0.2]);
    expect(model.fitted).toBe(false);
  });
});

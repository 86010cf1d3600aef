import { defaultRegistry } from '../models/algorithm.registry';
import { plantedGroups } from '../testing/planted.data';
import { searchHyperParameters } from './hyper-parameter.search';

describe(searchHyperParameters.name, () => {
  const { dataset } = plantedGroups({ users: 80, items: 30, seed: 6 });

  it('tries the defaults first, then sampled points, and returns the best', async () => {
    const result = await searchHyperParameters({
      registry: defaultRegistry,
      algorithm: 'item-knn',
      train: dataset,
      budgetSeconds: 30,
      maxTrials: 5,
      seed: 3,
    });
    expect(result.trials).toHaveLength(5);
    expect(result.trials[0].params).toEqual({});
    expect(Object.keys(result.trials[1].params).length).toBeGreaterThan(0);
    expect(result.best.score).toBe(Math.max(...result.trials.map((t) => t.score)));
  });

  it('stops starting trials when the budget is spent', async () => {
    const result = await searchHyperParameters({
      registry: defaultRegistry,
      algorithm: 'popularity',
      train: dataset,
      budgetSeconds: 0.05,
      seed: 1,
    });
    expect(result.trials.length).toBeGreaterThanOrEqual(1);
    expect(result.seconds).toBeLessThan(2);
  });

  it('records a failing trial instead of aborting the search', async () => {
    const result = await searchHyperParameters({
      registry: defaultRegistry,
      algorithm: 'item-knn',
      train: dataset,
      budgetSeconds: 10,
      maxTrials: 2,
      fixed: { neighbours: -1 },
    });
    expect(result.trials[0].error).toMatch(/neighbours must be >= 0/);
  });
});

import { empiricalCumulativeQuantiles } from './empirical.demand';

describe(empiricalCumulativeQuantiles.name, () => {
  it('tabulates quantiles of overlapping h-day totals (type 7)', () => {
    // History 0, 10, 0, 0, 30: 1-day values sorted 0,0,0,10,30; 2-day totals 10,10,0,30 → sorted 0,10,10,30.
    const q = empiricalCumulativeQuantiles([0, 10, 0, 0, 30], { horizon: 2, levels: [0.5, 0.9] })!;
    expect(q.values[0]).toEqual([0, 22]); // 0.9·4 = 3.6 → 10 + 0.6·20
    expect(q.values[1][0]).toBeCloseTo(10, 12); // 0.5·3 = 1.5 → 10
    expect(q.values[1][1]).toBeCloseTo(24, 12); // 0.9·3 = 2.7 → 10 + 0.7·20
    expect(q.stepDays).toBe(1);
  });

  it('rescales to the forecast level and uses only the last window', () => {
    // Last 4 days 10, 0, 0, 30 (mean 10); rescaled to mean 5 per day halves every total.
    const q = empiricalCumulativeQuantiles([99, 10, 0, 0, 30], {
      horizon: 1,
      levels: [0.5, 1],
      windowDays: 4,
      meanPerDay: 5,
    })!;
    expect(q.values[0]).toEqual([2.5, 15]);
  });

  it('needs more history than the horizon', () => {
    expect(empiricalCumulativeQuantiles([1, 2], { horizon: 2, levels: [0.5] })).toBeUndefined();
  });
});

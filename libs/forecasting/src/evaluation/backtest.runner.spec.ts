import { simulateAdditiveEts } from '../testing/simulation.fixture';
import { backtest, planBacktest } from './backtest.runner';

describe(planBacktest.name, () => {
  it('ends the last window at the last observation', () => {
    expect(planBacktest(100, { horizon: 14, windows: 4, step: 7 }, 20)).toEqual({
      trainEnd: 65,
      origins: [65, 72, 79, 86],
      horizon: 14,
    });
  });

  it('shrinks windows, then the horizon, for short series and gives up below the minimum', () => {
    expect(planBacktest(40, { horizon: 14, windows: 4, step: 7 }, 20)?.origins).toEqual([26]);
    expect(planBacktest(24, { horizon: 14, windows: 4, step: 7 }, 20)?.horizon).toBe(3);
    expect(planBacktest(10, { horizon: 14, windows: 4, step: 7 }, 20)).toBeUndefined();
  });
});

describe(backtest.name, () => {
  const y = simulateAdditiveEts({ n: 200, alpha: 0.3, level0: 50, sigma: 3, seed: 9 });
  const plan = planBacktest(y.length, { horizon: 10, windows: 3, step: 5 }, 30)!;

  it('never peeks at the holdout: models are fitted on the training window only', () => {
    const scrambled = [...y.slice(0, plan.trainEnd), ...y.slice(plan.trainEnd).map((v) => 1000 - v)];
    const a = backtest(['ses', 'theta', 'moving_average'], y, y, { period: 1 }, plan);
    const b = backtest(['ses', 'theta', 'moving_average'], scrambled, scrambled, { period: 1 }, plan);
    for (const name of ['ses', 'theta', 'moving_average'] as const) {
      expect(b.fits.get(name)!.params).toEqual(a.fits.get(name)!.params);
    }
    // The first origin's forecasts are identical too; later origins see the (changed) data before them.
    const fa = a.fits.get('ses')!.forecastAt(y, [plan.trainEnd], 10)[0];
    const fb = b.fits.get('ses')!.forecastAt(scrambled, [plan.trainEnd], 10)[0];
    expect(Array.from(fb)).toEqual(Array.from(fa));
  });

  it('scores every candidate by MASE on the scored periods, best first', () => {
    const r = backtest(['naive', 'ses', 'seasonal_naive'], y, y, { period: 1 }, plan);
    expect(r.scores.map((s) => s.model).sort()).toEqual(['naive', 'seasonal_naive', 'ses']);
    for (let i = 1; i < r.scores.length; i++) expect(r.scores[i].mase).toBeGreaterThanOrEqual(r.scores[i - 1].mase);
    expect(r.scores[0].scored).toBe(30);
    expect(r.scores[0].mase).toBeCloseTo(r.scores[0].mae / r.scale, 12);
  });

  it('does not score censored (NaN) periods', () => {
    const actual = y.map((v, t) => (t === plan.trainEnd + 1 ? Number.NaN : v));
    expect(backtest(['naive'], y, actual, { period: 1 }, plan).scores[0].scored).toBe(29);
  });
});

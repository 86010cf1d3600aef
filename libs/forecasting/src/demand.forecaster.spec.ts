import { cumulativeQuantilesAt, forecastDemand } from './demand.forecaster';
import { mae } from './evaluation/accuracy.metrics';
import { fitCandidates } from './models/candidate.fitter';
import { AIR_PASSENGERS_TEST, AIR_PASSENGERS_TRAIN } from './testing/air-passengers.fixture';
import { poissonDraws } from './testing/simulation.fixture';

describe(forecastDemand.name, () => {
  it('forecasts the holdout with the backtest fit, from data before it only', () => {
    const draw = poissonDraws(3);
    const values = Array.from({ length: 300 }, (_, t) => draw(20) + (t % 7 === 5 ? 8 : 0));
    const f = forecastDemand({ values, frequency: 'day', horizon: 7, holdout: 28, candidates: ['ses', 'holt'] });
    const h = f.holdout!;
    expect(h.trainEnd).toBeLessThanOrEqual(300 - 28);
    // Parameters from y[0..trainEnd), states rolled forward to the holdout's origin: nothing after it is used.
    const fit = fitCandidates([f.model], values.slice(0, h.trainEnd), { period: 7 }).get(f.model)!;
    expect(h.mean).toEqual(Array.from(fit.forecastAt(values, [272], 28)[0], (v) => Math.max(0, v)));
    expect(h.lower.every((v, i) => v <= h.mean[i] + 1e-9 && h.mean[i] <= h.upper[i] + 1e-9)).toBe(true);
    // No backtest (one candidate), or not asked: no holdout forecast.
    expect(forecastDemand({ values, frequency: 'day', horizon: 7, holdout: 28, candidates: ['ses'] }).holdout).toBe(
      undefined,
    );
    expect(forecastDemand({ values, frequency: 'day', horizon: 7 }).holdout).toBeUndefined();
  });

  it('selects a model for AirPassengers by backtest that beats seasonal naive on 1960', () => {
    const f = forecastDemand({ values: AIR_PASSENGERS_TRAIN, frequency: 'month', horizon: 12 });
    expect(f.selectedBy).toBe('backtest');
    expect(f.classification.demandClass).toBe('smooth');
    expect(f.scores.length).toBeGreaterThan(5);
    expect(mae(AIR_PASSENGERS_TEST, f.mean)).toBeLessThan(47.83 / 2);
    expect(f.backtestMase).toBe(f.scores[0].mase);
  });

  it('routes an intermittent series to an intermittent-demand model with count quantiles', () => {
    const draw = poissonDraws(12);
    const occurrence = poissonDraws(13);
    const y = Array.from({ length: 365 }, () => (occurrence(0.25) > 0 ? 1 + draw(2) : 0));
    const f = forecastDemand({ values: y, frequency: 'day', horizon: 28 });
    expect(['intermittent', 'lumpy']).toContain(f.classification.demandClass);
    expect(['croston', 'sba', 'tsb', 'adida', 'moving_average']).toContain(f.model);
    expect(f.scores.every((s) => ['croston', 'sba', 'tsb', 'adida', 'moving_average'].includes(s.model))).toBe(true);
    expect(['negative_binomial', 'poisson']).toContain(f.intervalMethod);
    f.perStep.flat().forEach((v) => expect(Number.isInteger(v) && v >= 0).toBe(true));
  });

  it('forecasts zero with zero-width quantiles when there is no demand or no history', () => {
    for (const values of [[], [0, 0, 0, 0]]) {
      const f = forecastDemand({ values, frequency: 'day', horizon: 7 });
      expect(f.model).toBe('zero');
      expect(f.mean).toEqual(new Array(7).fill(0));
      expect(f.cumulative.flat().every((v) => v === 0)).toBe(true);
    }
  });

  it('does not read stock-out days as zero demand', () => {
    const draw = poissonDraws(2);
    const y = Array.from({ length: 200 }, (_, t) => (t >= 186 ? 0 : draw(10)));
    const censored = y.map((_, t) => t >= 186);
    const flagged = forecastDemand({ values: y, frequency: 'day', horizon: 7, censored });
    const naive = forecastDemand({ values: y, frequency: 'day', horizon: 7 });
    expect(flagged.imputedPeriods).toBe(14);
    expect(flagged.mean[0]).toBeGreaterThan(7);
    expect(naive.mean[0]).toBeLessThan(flagged.mean[0]);
  });

  it('interpolates cumulative quantiles at fractional periods', () => {
    const f = forecastDemand({ values: AIR_PASSENGERS_TRAIN, frequency: 'month', horizon: 3 });
    const mid = cumulativeQuantilesAt(f, 1.5);
    mid.forEach((v, i) => expect(v).toBeCloseTo((f.cumulative[0][i] + f.cumulative[1][i]) / 2, 10));
    expect(cumulativeQuantilesAt(f, 0).every((v) => v === 0)).toBe(true);
  });

  it('names the bad option', () => {
    expect(() => forecastDemand({ values: [1, 2], frequency: 'day', horizon: 0 })).toThrow(/horizon/);
    expect(() => forecastDemand({ values: [1, 2], frequency: 'day', horizon: 2, quantileLevels: [1.5] })).toThrow(
      /quantile level/,
    );
    expect(() => forecastDemand({ values: [1, 2], frequency: 'day', horizon: 2, censored: [true] })).toThrow(
      /censored/,
    );
  });
});

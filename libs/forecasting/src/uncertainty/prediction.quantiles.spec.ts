import { sesModel } from '../models/ets.model';
import { sbaModel } from '../models/intermittent.models';
import { normalDraws, poissonDraws } from '../testing/simulation.fixture';
import { dispersionBySpan, predictionQuantiles } from './prediction.quantiles';

const levels = [0.05, 0.5, 0.95];

describe(predictionQuantiles.name, () => {
  it('gives calibrated empirical intervals for a stationary series', () => {
    const z = normalDraws(21);
    const y = Array.from({ length: 600 }, () => 100 + 10 * z());
    const fit = sesModel.fit(y, { period: 1 });
    const mean = Array.from(fit.forecast(5));
    const q = predictionQuantiles(fit, y, y, mean, { levels, integer: false, intermittent: false });
    expect(q.method).toBe('empirical');
    const width = q.perStep[0][2] - q.perStep[0][0];
    expect(width).toBeGreaterThan(2 * 1.645 * 10 * 0.8);
    expect(width).toBeLessThan(2 * 1.645 * 10 * 1.25);
    // Cumulative demand over 5 steps spreads like √5·σ (i.i.d. noise around a near-constant level).
    const cumWidth = q.cumulative[4][2] - q.cumulative[4][0];
    expect(cumWidth).toBeGreaterThan(2 * 1.645 * 10 * Math.sqrt(5) * 0.75);
    expect(cumWidth).toBeLessThan(2 * 1.645 * 10 * Math.sqrt(5) * 1.4);
  });

  it('never returns negative quantiles, and keeps them ordered by level and by step', () => {
    const z = normalDraws(3);
    const y = Array.from({ length: 300 }, () => Math.max(0, Math.round(1 + 2 * z())));
    const fit = sesModel.fit(y, { period: 1 });
    const q = predictionQuantiles(fit, y, y, Array.from(fit.forecast(14)), {
      levels: [0.01, 0.05, 0.5, 0.99],
      integer: true,
      intermittent: false,
    });
    for (const table of [q.perStep, q.cumulative]) {
      for (const row of table) {
        row.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(v)).toBe(true);
          if (i > 0) expect(v).toBeGreaterThanOrEqual(row[i - 1]);
        });
      }
    }
    for (let j = 1; j < q.cumulative.length; j++)
      q.cumulative[j].forEach((v, i) => expect(v).toBeGreaterThanOrEqual(q.cumulative[j - 1][i]));
  });

  it('uses an over-dispersed count distribution for intermittent demand', () => {
    const draw = poissonDraws(4);
    const u = normalDraws(5);
    const y = Array.from({ length: 400 }, () => (u() > 1.2 ? 1 + draw(4) : 0));
    const fit = sbaModel().fit(y, { period: 1 });
    const mean = Array.from(fit.forecast(7));
    const q = predictionQuantiles(fit, y, y, mean, { levels, integer: true, intermittent: true });
    expect(q.method).toBe('negative_binomial');
    expect(q.perStep[0][0]).toBe(0);
    expect(q.cumulative[6][2]).toBeGreaterThan(mean.reduce((s, v) => s + v, 0));
    q.cumulative.flat().forEach((v) => expect(Number.isInteger(v) && v >= 0).toBe(true));
  });
});

describe(dispersionBySpan.name, () => {
  it('stays near the per-period ratio for independent demand and grows when demand clusters', () => {
    const draw = poissonDraws(31);
    const independent = Array.from({ length: 2000 }, () => draw(3));
    const flat = dispersionBySpan(independent, 8);
    expect(flat[0]).toBeCloseTo(1, 0);
    expect(flat[7]).toBeLessThan(1.4);
    // The same mean, but demand arrives in runs of 4 identical days.
    const clustered = Array.from({ length: 2000 }, (_, t) => independent[Math.floor(t / 4) * 4]);
    const grown = dispersionBySpan(clustered, 8);
    expect(grown[3]).toBeGreaterThan(2.5 * grown[0]);
  });

  it('skips windows with censored periods and never returns less than 1', () => {
    const r = dispersionBySpan(
      [2, 2, Number.NaN, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
      3,
    );
    expect(r.every((v) => v === 1)).toBe(true);
  });
});

describe('compound bootstrap quantiles', () => {
  it('keeps the size distribution of lumpy demand, with integer non-negative quantiles', () => {
    // Orders of exactly 50 units about once a week: a 7-day total is 0, 50, 100, … never in between.
    const u = normalDraws(8);
    const y = Array.from({ length: 400 }, () => (u() > 1.07 ? 50 : 0));
    const fit = sbaModel().fit(y, { period: 1 });
    const q = predictionQuantiles(fit, y, y, Array.from(fit.forecast(7)), {
      levels: [0.5, 0.9, 0.99],
      integer: true,
      intermittent: true,
      intermittentMethod: 'bootstrap',
    });
    expect(q.method).toBe('bootstrap');
    q.cumulative[6].forEach((v) => expect(v % 50).toBe(0));
    q.perStep.flat().forEach((v) => expect(Number.isInteger(v) && v >= 0).toBe(true));
  });
});

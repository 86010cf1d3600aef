import { adidaModel, crostonModel, sbaModel, tsbModel } from './intermittent.models';

// Hand computation with α = 0.5 on y = 0 3 0 0 5 0 2:
// Croston: first demand (t = 1): size 3, interval 2. t = 4: size 3 + ½(5 − 3) = 4, interval 2 + ½(3 − 2) = 2.5.
//          t = 6: size 4 + ½(2 − 4) = 3, interval 2.5 + ½(2 − 2.5) = 2.25 → 3 / 2.25 = 1.3333.
// SBA: (1 − α/2) · 1.3333 = 1.0.
// TSB (α = β = ½): probability 0, .5, .25, .125, .5625, .28125, .640625; size 3 → 4 → 3 → .640625 · 3 = 1.921875.
const y = [0, 3, 0, 0, 5, 0, 2];
const ctx = { period: 1 };

describe('crostonModel', () => {
  it('matches the hand-computed forecast', () => {
    const fit = crostonModel({ alpha: 0.5 }).fit(y, ctx);
    expect(fit.forecast(3)[0]).toBeCloseTo(4 / 3, 12);
    expect(fit.forecast(3)[2]).toBeCloseTo(4 / 3, 12);
  });

  it('forecasts from an origin with the data before it only', () => {
    const fit = crostonModel({ alpha: 0.5 }).fit(y, ctx);
    expect(fit.forecastAt(y, [4], 1)[0][0]).toBeCloseTo(1.5, 12);
    expect(fit.forecastAt(y, [1], 1)[0][0]).toBe(0);
  });
});

describe('sbaModel', () => {
  it('applies the (1 − α/2) bias correction', () => {
    expect(sbaModel({ alpha: 0.5 }).fit(y, ctx).forecast(1)[0]).toBeCloseTo(1, 12);
  });
});

describe('tsbModel', () => {
  it('matches the hand-computed forecast', () => {
    expect(tsbModel({ alphaSize: 0.5, alphaProbability: 0.5 }).fit(y, ctx).forecast(1)[0]).toBeCloseTo(1.921875, 12);
  });

  it('decays towards zero when demand stops, unlike Croston', () => {
    const dead = [...y, ...new Array(30).fill(0)];
    const tsb = tsbModel({ alphaSize: 0.5, alphaProbability: 0.5 }).fit(dead, ctx).forecast(1)[0];
    const croston = crostonModel({ alpha: 0.5 }).fit(dead, ctx).forecast(1)[0];
    expect(tsb).toBeLessThan(1e-6);
    expect(croston).toBeCloseTo(4 / 3, 12);
  });
});

describe('adidaModel', () => {
  it('aggregates by the mean interval and spreads the SES forecast back', () => {
    // Mean interval 7/3 → buckets of 2 ending at the last period: [3, 5, 2]. SES with α at its lower bound 0.1
    // (the SSE 4 + (1 + 2α)² grows with α): 3 → 3.2 → 3.08, per period 1.54.
    const fit = adidaModel.fit(y, ctx);
    expect(fit.params.aggregation).toBe(2);
    expect(fit.forecast(1)[0]).toBeCloseTo(1.54, 3);
  });
});

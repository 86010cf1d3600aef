import { normalQuantile } from '@app/forecasting';
import { normalDemand, quantileDemand } from './demand.distribution';

/** Cumulative quantiles of i.i.d. N(μ, σ²) daily demand for 1..h days, on a dense level grid. */
function normalTable(mu: number, sigma: number, h: number) {
  const levels = Array.from({ length: 199 }, (_, i) => (i + 1) / 200);
  const values = Array.from({ length: h }, (_, j) =>
    levels.map((p) => Math.max(0, mu * (j + 1) + sigma * Math.sqrt(j + 1) * normalQuantile(p))),
  );
  return { levels, values };
}

describe(quantileDemand.name, () => {
  const table = normalTable(20, 5, 30);

  it('matches the normal model when the forecast quantiles are normal', () => {
    const q = quantileDemand(table, 9, 0, 0);
    const n = normalDemand(180, 15);
    expect(q.mean).toBeCloseTo(180, 0);
    expect(q.sd).toBeCloseTo(15, 0);
    expect(q.quantile(0.9)).toBeCloseTo(n.quantile(0.9), 0);
    expect(q.expectedShortage(190)).toBeCloseTo(n.expectedShortage(190), 1);
    expect(q.exceedance(200)).toBeCloseTo(n.exceedance(200), 2);
  });

  it('widens with lead-time variability like √(L·σ_d² + d²·σ_L²)', () => {
    const q = quantileDemand(table, 9, 2, 0);
    expect(q.mean).toBeCloseTo(180, 0);
    expect(q.sd).toBeCloseTo(Math.sqrt(9 * 25 + 400 * 4), 0);
  });

  it('adds the review period, scales by a demand multiplier and extrapolates past the horizon', () => {
    expect(quantileDemand(table, 5, 0, 7).mean).toBeCloseTo(240, 0);
    expect(quantileDemand(table, 5, 0, 0, 1.5).mean).toBeCloseTo(150, 0);
    expect(quantileDemand(table, 60, 0, 0).mean).toBeCloseTo(1200, -1);
  });
});

describe(normalDemand.name, () => {
  it('has the normal loss as expected shortage and handles σ = 0', () => {
    expect(normalDemand(100, 10).expectedShortage(100)).toBeCloseTo(10 * 0.3989423, 5);
    expect(normalDemand(100, 0).expectedShortage(90)).toBe(10);
    expect(normalDemand(100, 0).exceedance(100)).toBe(0);
  });
});

import { CountDistribution, inverseNormalLoss, logGamma, normalCdf, normalLoss, normalQuantile } from './distributions';

describe(normalCdf.name, () => {
  it('matches published values of Φ', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 15);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 12);
    expect(normalCdf(-8) / 6.22096057427178e-16).toBeCloseTo(1, 7);
  });
});

describe(normalQuantile.name, () => {
  it('inverts Φ to about 1e-12', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 12);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
    for (const p of [1e-10, 0.001, 0.02, 0.3, 0.7, 0.98, 0.999999])
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 12);
  });

  it('rejects levels outside [0, 1]', () => {
    expect(() => normalQuantile(1.2)).toThrow(RangeError);
  });
});

describe(normalLoss.name, () => {
  it('is φ(0) at 0 and matches the table value G(1) = 0.0833', () => {
    expect(normalLoss(0)).toBeCloseTo(0.3989422804, 9);
    expect(normalLoss(1)).toBeCloseTo(0.0833154, 6);
  });

  it('is inverted by inverseNormalLoss', () => {
    for (const k of [-1, 0, 0.5, 1.3, 2.5]) expect(inverseNormalLoss(normalLoss(k))).toBeCloseTo(k, 8);
  });
});

describe(logGamma.name, () => {
  it('matches log((n − 1)!)', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
});

describe(CountDistribution.name, () => {
  it('is Poisson when the variance equals the mean (Poisson(3): P(X ≤ 4) = 0.815, P(X ≤ 5) = 0.916)', () => {
    const d = new CountDistribution(3, 3);
    expect(d.kind).toBe('poisson');
    expect(d.cdf(4)).toBeCloseTo(0.8152632, 6);
    expect(d.quantile(0.8)).toBe(4);
    expect(d.quantile(0.9)).toBe(5);
  });

  it('is a negative binomial with the requested mean and variance when over-dispersed', () => {
    const d = new CountDistribution(2, 6);
    expect(d.kind).toBe('negative_binomial');
    // Size r = μ²/(σ² − μ) = 1: geometric with p = 1/3, so P(0) = 1/3 and P(X ≤ k) = 1 − (2/3)^(k+1).
    expect(d.cdf(0)).toBeCloseTo(1 / 3, 12);
    expect(d.cdf(4)).toBeCloseTo(1 - Math.pow(2 / 3, 5), 12);
    expect(d.quantile(0.9)).toBe(5);
  });

  it('returns integer, non-negative quantiles and handles huge means', () => {
    const big = new CountDistribution(5000, 20000);
    const q = big.quantile(0.95);
    expect(Number.isInteger(q)).toBe(true);
    expect(q).toBeGreaterThan(5000 + 1.6 * Math.sqrt(20000) - 2);
    expect(q).toBeLessThan(5000 + 1.7 * Math.sqrt(20000) + 2);
    expect(new CountDistribution(0, 0).quantile(0.99)).toBe(0);
  });
});

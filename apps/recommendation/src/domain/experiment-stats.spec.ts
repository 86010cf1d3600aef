import {
  compareMeans,
  compareProportions,
  criticalZ,
  meanEstimate,
  normalCdf,
  normalQuantile,
  proportionEstimate,
  relativeLift,
  twoProportionZTest,
  welchZTest,
} from './experiment-stats';

/** The reference values below come from scipy.stats.norm and hand calculation. */
describe('experiment statistics', () => {
  describe(normalCdf.name, () => {
    it.each([
      [0, 0.5],
      [1, 0.8413447460685429],
      [1.96, 0.9750021048517795],
      [0.5, 0.6914624612740131],
      [-3, 0.0013498980316300933],
    ])('Φ(%d) = %d', (x, p) => expect(normalCdf(x)).toBeCloseTo(p, 13));

    it('stays accurate in the far tail, where p-values live', () => {
      expect(normalCdf(-8) / 6.22096057427174e-16).toBeCloseTo(1, 7); // relative error below 1e-7
      expect(normalCdf(-40)).toBe(0);
      expect(normalCdf(40)).toBe(1);
    });
  });

  describe(normalQuantile.name, () => {
    it.each([
      [0.975, 1.959963984540054],
      [0.995, 2.5758293035489004],
      [0.01, -2.3263478740408408],
      [1e-6, -4.753424308822899],
      [0.5, 0],
    ])('Φ⁻¹(%d) = %d', (p, x) => expect(normalQuantile(p)).toBeCloseTo(x, 10));

    it('is the inverse of the CDF and handles the ends', () => {
      for (const p of [1e-12, 0.001, 0.2, 0.7, 0.9999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 12);
      expect(normalQuantile(0)).toBe(-Infinity);
      expect(normalQuantile(1)).toBe(Infinity);
      expect(normalQuantile(1.5)).toBeNaN();
      expect(criticalZ(0.95)).toBeCloseTo(1.959964, 6);
    });
  });

  describe(proportionEstimate.name, () => {
    it('gives the Wilson interval: 10 of 100 at 95% is [0.0552, 0.1744]', () => {
      const e = proportionEstimate(10, 100, 0.95);
      expect(e.value).toBe(0.1);
      expect(e.lower).toBeCloseTo(0.0552291370606751, 12);
      expect(e.upper).toBeCloseTo(0.17436566150491345, 12);
    });

    it('has a non-degenerate interval at 0 successes and [0, 1] without trials', () => {
      const e = proportionEstimate(0, 50, 0.95);
      expect(e).toEqual({ value: 0, lower: 0, upper: expect.closeTo(0.07134759913335872, 12) as number });
      expect(proportionEstimate(0, 0, 0.95)).toEqual({ value: 0, lower: 0, upper: 1 });
    });

    it('caps successes at trials', () => {
      expect(proportionEstimate(12, 10, 0.95).value).toBe(1);
    });

    it('widens with the confidence level', () => {
      const a = proportionEstimate(30, 200, 0.9);
      const b = proportionEstimate(30, 200, 0.99);
      expect(b.lower).toBeLessThan(a.lower);
      expect(b.upper).toBeGreaterThan(a.upper);
    });
  });

  describe(twoProportionZTest.name, () => {
    it('matches the pooled z-test: 100/1000 vs 150/1000 → z 3.3806, p 0.000723', () => {
      const { z, pValue } = twoProportionZTest(100, 1000, 150, 1000);
      expect(z).toBeCloseTo(3.3806170189140654, 10);
      expect(pValue).toBeCloseTo(0.0007232327164301953, 12);
    });

    it('is symmetric, 1 for equal rates and 1 without variance', () => {
      expect(twoProportionZTest(150, 1000, 100, 1000).pValue).toBeCloseTo(0.0007232327164301953, 12);
      expect(twoProportionZTest(50, 500, 100, 1000).pValue).toBeCloseTo(1, 12);
      expect(twoProportionZTest(0, 100, 0, 100)).toEqual({ z: 0, pValue: 1 });
      expect(twoProportionZTest(0, 0, 3, 10)).toEqual({ z: 0, pValue: 1 });
    });
  });

  describe('means (revenue per impression)', () => {
    // control: 1,2,3,4,5 (mean 3, s² 2.5); treatment: 2,4,6,8,10 (mean 6, s² 10).
    const control = { n: 5, sum: 15, sumSq: 55 };
    const treatment = { n: 5, sum: 30, sumSq: 220 };

    it('gives mean ± z·s/√n', () => {
      const e = meanEstimate(control, 0.95);
      expect(e.value).toBe(3);
      expect(e.lower).toBeCloseTo(1.614096175650322, 10);
      expect(e.upper).toBeCloseTo(4.385903824349678, 10);
      expect(meanEstimate({ n: 5, sum: 1, sumSq: 1 }, 0.95, 0).lower).toBe(0);
      expect(meanEstimate({ n: 0, sum: 0, sumSq: 0 }, 0.95, 0)).toEqual({ value: 0, lower: 0, upper: 0 });
    });

    it("runs Welch's test: z = 3/√2.5 = 1.8974, p = 0.0578", () => {
      const { z, pValue } = welchZTest(control, treatment);
      expect(z).toBeCloseTo(1.8973665961010275, 10);
      expect(pValue).toBeCloseTo(0.057779571123597245, 10);
    });

    it('gives the delta-method lift: +100% ± 1.96·√(4/9)', () => {
      const c = compareMeans(control, treatment, 0.95);
      expect(c.lift!.value).toBeCloseTo(1, 12);
      expect(c.lift!.lower).toBeCloseTo(-0.30664265636003596, 10);
      expect(c.lift!.upper).toBeCloseTo(2.3066426563600357, 10);
      expect(c.significant).toBe(false);
      expect(compareMeans(control, treatment, 0.9).significant).toBe(true);
    });
  });

  describe(relativeLift.name, () => {
    it('is undefined against a zero control and uses the control variance when the treatment is 0', () => {
      expect(relativeLift({ mean: 0.1, varianceOfMean: 0.001 }, { mean: 0, varianceOfMean: 0 }, 0.95)).toBeUndefined();
      const l = relativeLift({ mean: 0, varianceOfMean: 0 }, { mean: 0.5, varianceOfMean: 0.01 }, 0.95)!;
      expect(l.value).toBe(-1);
      expect(l.upper - l.value).toBeCloseTo(0, 12);
    });
  });

  describe(compareProportions.name, () => {
    it('flags a clearly better variant and not an equal one', () => {
      const better = compareProportions({ successes: 100, trials: 1000 }, { successes: 150, trials: 1000 }, 0.95);
      expect(better.significant).toBe(true);
      expect(better.lift!.value).toBeCloseTo(0.5, 12);
      // Var(t)/c² + t²Var(c)/c⁴ with t = .15, c = .1, n = 1000.
      const se = Math.sqrt((0.15 * 0.85) / 1000 / 0.01 + (0.0225 * ((0.1 * 0.9) / 1000)) / 0.0001);
      expect(better.lift!.lower).toBeCloseTo(0.5 - 1.959963984540054 * se, 10);
      const same = compareProportions({ successes: 100, trials: 1000 }, { successes: 101, trials: 1000 }, 0.95);
      expect(same.significant).toBe(false);
      expect(same.pValue).toBeGreaterThan(0.9);
    });
  });
});

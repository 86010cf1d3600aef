import { classifyAbcXyz, coefficientOfVariation } from './abc-xyz.report';

const window = { fromWeek: '2025-11-17', toWeek: '2026-11-09', currency: 'EUR' };
const weeks = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe(classifyAbcXyz.name, () => {
  it('classes a high-revenue steady item AX and a rare lumpy one CZ', () => {
    const r = classifyAbcXyz(
      [
        { sku: 'STEADY', storeId: 'S1', title: 'Milk', revenueMinor: 800_000, weeklyUnits: weeks(20, () => 70) },
        {
          sku: 'MID',
          storeId: 'S1',
          title: 'Bread',
          revenueMinor: 150_000,
          weeklyUnits: weeks(20, (i) => 40 + (i % 3) * 20),
        },
        {
          sku: 'RARE',
          storeId: 'S1',
          title: 'Grill',
          revenueMinor: 50_000,
          weeklyUnits: weeks(20, (i) => (i % 10 === 0 ? 30 : 0)),
        },
      ],
      window,
    );
    expect(r.rows.map((x) => [x.sku, x.abcXyz])).toEqual([
      ['STEADY', 'AX'],
      ['MID', 'BX'],
      ['RARE', 'CZ'],
    ]);
    expect(r.rows[0]).toMatchObject({ revenueShare: 0.8, cumulativeShare: 0.8, cv: 0, meanWeeklyUnits: 70, weeks: 20 });
    expect(r.rows[2].cv).toBeGreaterThan(1);
    expect(r.totalRevenueMinor).toBe(1_000_000);
    expect(r.matrix).toHaveLength(9);
    expect(r.matrix.find((c) => c.abc === 'A' && c.xyz === 'X')).toEqual({
      abc: 'A',
      xyz: 'X',
      skus: 1,
      revenueMinor: 800_000,
    });
  });

  it('keeps the item that crosses 80% in A, so one dominant item is A', () => {
    const r = classifyAbcXyz(
      [
        { sku: 'BIG', storeId: 'S1', title: '', revenueMinor: 900, weeklyUnits: [1] },
        { sku: 'SMALL', storeId: 'S1', title: '', revenueMinor: 60, weeklyUnits: [1] },
        { sku: 'TINY', storeId: 'S1', title: '', revenueMinor: 40, weeklyUnits: [1] },
      ],
      window,
    );
    expect(r.rows.map((x) => x.abc)).toEqual(['A', 'B', 'C']);
  });

  it('uses the thresholds 0.5 and 1 for X, Y and Z, and Z for no demand', () => {
    expect(coefficientOfVariation([10, 10, 10])).toBe(0);
    expect(coefficientOfVariation([0, 0])).toBeNull();
    expect(coefficientOfVariation([])).toBeNull();
    expect(coefficientOfVariation([1, 3])).toBeCloseTo(Math.SQRT2 / 2, 10);
    const r = classifyAbcXyz(
      [
        { sku: 'Y', storeId: 'S1', title: '', revenueMinor: 10, weeklyUnits: [1, 3] },
        { sku: 'NONE', storeId: 'S1', title: '', revenueMinor: 0, weeklyUnits: [0, 0] },
      ],
      window,
    );
    expect(r.rows.map((x) => x.abcXyz)).toEqual(['AY', 'CZ']);
  });
});

import { ForecastRecord, HoldoutAccuracy } from '../forecast';
import { forecastAccuracyReport } from './forecast-accuracy.report';

function forecast(sku: string, accuracy: Partial<HoldoutAccuracy> | undefined): ForecastRecord {
  return {
    forecastId: sku,
    sku,
    storeId: 'S1',
    frequency: 'day',
    model: 'ses',
    label: 'ETS(A,N,N)',
    title: 'simple exponential smoothing',
    demandClass: 'smooth',
    selectedBy: 'backtest',
    intervalMethod: 'empirical',
    candidates: [],
    points: [],
    historyPeriods: 100,
    imputedPeriods: 0,
    accuracy: accuracy && {
      periods: 28,
      scored: 28,
      mase: 1,
      bias: 0,
      relativeBias: 0,
      coverage: 0.8,
      actualTotal: 100,
      forecastTotal: 100,
      ...accuracy,
    },
    computedAt: new Date('2026-11-20T00:00:00Z'),
  };
}

describe(forecastAccuracyReport.name, () => {
  it('reports per SKU (worst first) and per category, with bias from the totals and weighted coverage', () => {
    const r = forecastAccuracyReport(
      [
        {
          forecast: forecast('A', { mase: 0.5, actualTotal: 300, forecastTotal: 330, coverage: 0.75, scored: 28 }),
          title: 'a',
          categories: ['dairy'],
        },
        {
          forecast: forecast('B', { mase: 1.5, actualTotal: 100, forecastTotal: 90, coverage: 1, scored: 14 }),
          title: 'b',
          categories: ['dairy', 'fresh'],
        },
        {
          forecast: forecast('C', { mase: null, actualTotal: 0, forecastTotal: 2, coverage: null }),
          title: 'c',
          categories: [],
        },
        { forecast: forecast('D', undefined), title: 'too short', categories: ['dairy'] },
      ],
      28,
    );
    expect(r.bySku.map((x) => [x.sku, x.mase])).toEqual([
      ['B', 1.5],
      ['A', 0.5],
      ['C', null],
    ]);
    const dairy = r.byCategory.find((c) => c.category === 'dairy')!;
    expect(dairy).toMatchObject({ skus: 2, meanMase: 1, medianMase: 1 });
    expect(dairy.bias).toBeCloseTo((420 - 400) / 400, 10);
    expect(dairy.coverage).toBeCloseTo((0.75 * 28 + 1 * 14) / 42, 10);
    expect(r.byCategory.map((c) => c.category)).toEqual(['(none)', 'dairy', 'fresh']);
    expect(r.overall).toMatchObject({ category: '(all)', skus: 3, meanMase: 1 });
  });
});

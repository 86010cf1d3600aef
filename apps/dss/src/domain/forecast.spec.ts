import { dailyHistory, dailyRows, poissonSeries } from '../../test/dss.builders';
import {
  buildForecast,
  demandSeries,
  historyRows,
  holdoutAccuracy,
  ModelNotApplicableError,
  periodContaining,
  scoreHoldout,
} from './forecast';

const today = new Date('2026-11-20T08:00:00Z'); // a Friday

describe('demand series and forecasts', () => {
  it('sums complete ISO weeks after imputing stock-out days, and flags the weeks that had one', () => {
    // 2026-10-19 is a Monday: 4 complete weeks end on Sunday 2026-11-15, then 4 days of a partial week.
    const units = Array.from({ length: 32 }, () => 10);
    units[9] = 0; // Wednesday of the second week, shelf empty
    const rows = dailyRows(units, [9], today);
    expect(rows[0].day).toBe('2026-10-19');
    const weekly = demandSeries(rows, 'week');
    expect(weekly.periods).toEqual(['2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09']);
    expect(weekly.observed).toEqual([70, 60, 70, 70]);
    expect(weekly.censored).toEqual([false, true, false, false]);
    // The empty day is read as the same weekday a week earlier, not as no demand.
    expect(weekly.fitValues).toEqual([70, 70, 70, 70]);
  });

  it('keeps daily stock-out flags for the models and the people', () => {
    const daily = demandSeries(dailyRows([1, 0, 2], [1], today), 'day');
    expect(daily).toMatchObject({
      observed: [1, 0, 2],
      censored: [false, true, false],
      fitCensored: [false, true, false],
    });
  });

  it('starts the forecast in the period that contains today', () => {
    expect(periodContaining('2026-11-20', 'day')).toBe('2026-11-20');
    expect(periodContaining('2026-11-20', 'week')).toBe('2026-11-16');
    expect(periodContaining('2026-11-22', 'week')).toBe('2026-11-16');
    expect(periodContaining('2026-11-20', 'month')).toBe('2026-11-01');
  });

  it('measures the chosen model on a holdout it has not seen', () => {
    const series = demandSeries(dailyRows(poissonSeries(10, 120), [110, 111], today), 'day');
    const a = holdoutAccuracy(series, 'ses', 28)!;
    expect(a).toMatchObject({ periods: 28, scored: 26 });
    expect(a.mase).toBeGreaterThan(0.3);
    expect(a.mase).toBeLessThan(1.5);
    expect(Math.abs(a.relativeBias!)).toBeLessThan(0.25);
    expect(a.coverage).toBeGreaterThan(0.5);
    expect(holdoutAccuracy(demandSeries(dailyRows([1, 2, 3], [], today), 'day'), 'ses', 28)).toBeUndefined();
  });

  it('expands a compact daily history into the same rows', () => {
    const units = poissonSeries(3, 400, 5);
    expect(historyRows(dailyHistory(units, [0, 17, 399], today))).toEqual(dailyRows(units, [0, 17, 399], today));
    expect(historyRows({ start: '2024-02-28', units: [1, 2, 3], censoredDays: [1] })).toEqual([
      { day: '2024-02-28', units: 1, censored: false },
      { day: '2024-02-29', units: 2, censored: true },
      { day: '2024-03-01', units: 3, censored: false },
    ]);
  });

  it("scores the holdout with the backtest's own fit, close to what a refit on the shorter series scores", () => {
    const rows = dailyRows(poissonSeries(12, 400, 9), [390], today);
    const built = buildForecast({
      forecastId: 'f',
      sku: 'A',
      storeId: 'S1',
      rows,
      frequency: 'day',
      horizon: 7,
      quantileLevels: [0.5],
      holdoutDays: 28,
      today: '2026-11-20',
      computedAt: today,
    });
    const h = built.demand.holdout!;
    expect(h.periods).toBe(28);
    expect(h.trainEnd).toBeLessThanOrEqual(400 - 28);
    expect(built.record.accuracy).toEqual(scoreHoldout(built.series, h));
    expect(built.record.accuracy).toMatchObject({ periods: 28, scored: 27 });
    const refitted = holdoutAccuracy(built.series, built.demand.model, 28)!;
    expect(Math.abs(built.record.accuracy!.mase! - refitted.mase!)).toBeLessThan(0.1);
    expect(built.record.accuracy!.coverage).toBeGreaterThan(0.6);
  });

  it('builds the stored record with dated points, quantiles and the holdout', () => {
    const built = buildForecast({
      forecastId: 'f1',
      sku: 'A',
      storeId: 'S1',
      rows: dailyRows(poissonSeries(10, 120), [], today),
      frequency: 'day',
      horizon: 7,
      quantileLevels: [0.1, 0.5, 0.9],
      holdoutDays: 28,
      today: '2026-11-20',
      computedAt: today,
    });
    const r = built.record;
    expect(r.points.map((p) => p.periodStart)).toEqual([
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
    ]);
    for (const p of r.points) {
      expect(p.quantiles.map((q) => q.quantile)).toEqual([0.1, 0.5, 0.9]);
      expect(p.quantiles[0].value).toBeGreaterThanOrEqual(0);
      expect(p.quantiles[0].value).toBeLessThanOrEqual(p.quantiles[2].value);
    }
    expect(r.points[6].cumulative[1].value).toBeGreaterThan(50);
    expect(r).toMatchObject({ demandClass: 'smooth', selectedBy: 'backtest', historyPeriods: 120 });
    expect(r.candidates[0].model).toBe(r.model);
    expect(r.accuracy?.periods).toBe(28);
  });

  it('refuses a forced model that cannot fit the series', () => {
    expect(() =>
      buildForecast({
        forecastId: 'f',
        sku: 'A',
        storeId: 'S1',
        rows: dailyRows([0, 1, 0, 2, 0, 0, 1, 0, 0, 3, 0, 0, 0, 1, 0, 0, 2, 0], [], today),
        frequency: 'day',
        horizon: 7,
        quantileLevels: [0.5],
        model: 'holt_winters_multiplicative',
        holdoutDays: 28,
        today: '2026-11-20',
        computedAt: today,
      }),
    ).toThrow(ModelNotApplicableError);
  });
});

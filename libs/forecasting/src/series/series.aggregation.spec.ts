import { imputeCensored, maskCensored } from './censoring.imputer';
import { aggregateDaily, toDailySeries } from './series.aggregation';
import { fromEpochDay, isoWeekStart, toEpochDay, weekdayOf } from './calendar.util';

describe(toDailySeries.name, () => {
  it('nets returns on the day they are booked, fills gaps with zero, floors at zero, flags stock-outs', () => {
    const s = toDailySeries(
      [
        { date: '2024-01-01', quantity: 5 },
        { date: '2024-01-01', quantity: -2 },
        { date: '2024-01-03', quantity: 4 },
        { date: '2024-01-04', quantity: -7 },
      ],
      { stockoutDays: ['2024-01-02'] },
    );
    expect(s.start).toBe('2024-01-01');
    expect(s.values).toEqual([3, 0, 4, 0]);
    expect(s.censored).toEqual([false, true, false, false]);
  });
});

describe(aggregateDaily.name, () => {
  it('sums ISO weeks (Monday start) and drops partial weeks', () => {
    // 2024-01-01 is a Monday; 17 days = two full weeks and a partial one.
    const s = {
      start: '2024-01-01',
      values: Array.from({ length: 17 }, (_, i) => i + 1),
      censored: new Array(17).fill(false),
    };
    const w = aggregateDaily(s, 'week');
    expect(w.periods).toEqual(['2024-01-01', '2024-01-08']);
    expect(w.values).toEqual([28, 77]);
    expect(aggregateDaily(s, 'week', { keepPartial: true }).values).toEqual([28, 77, 15 + 16 + 17]);
  });

  it('sums calendar months and counts censored days', () => {
    const days = 31 + 29; // January and February 2024
    const s = {
      start: '2024-01-01',
      values: new Array(days).fill(1),
      censored: Array.from({ length: days }, (_, i) => i === 40),
    };
    const m = aggregateDaily(s, 'month');
    expect(m.periods).toEqual(['2024-01', '2024-02']);
    expect(m.values).toEqual([31, 29]);
    expect(m.censoredDays).toEqual([0, 1]);
  });
});

describe(imputeCensored.name, () => {
  it('replaces censored periods with the mean of earlier same-season values, keeping higher observed sales', () => {
    const y = [10, 1, 12, 1, 14, 1, 0, 1, 3, 1];
    const censored = [false, false, false, false, false, false, true, false, true, false];
    const { values, imputed } = imputeCensored(y, censored, 2);
    expect(imputed).toBe(2);
    expect(values[6]).toBeCloseTo((14 + 12 + 10) / 3, 12);
    expect(values[8]).toBeCloseTo((14 + 12 + 10) / 3, 12); // 3 observed < estimate
    expect(values[7]).toBe(1);
  });

  it('never reads later values, so backtests stay honest', () => {
    const base = [5, 5, 5, 5, 0, 9, 9];
    const censored = [false, false, false, false, true, false, false];
    const a = imputeCensored(base, censored, 1).values[4];
    const b = imputeCensored([5, 5, 5, 5, 0, 900, 900], censored, 1).values[4];
    expect(a).toBe(b);
  });

  it('masks censored actuals as NaN for scoring', () => {
    expect(Array.from(maskCensored([1, 2, 3], [false, true, false]))).toEqual([1, Number.NaN, 3]);
  });
});

describe(toEpochDay.name, () => {
  it('round-trips ISO days and knows weekdays', () => {
    const d = toEpochDay('2024-02-29');
    expect(fromEpochDay(d)).toBe('2024-02-29');
    expect(weekdayOf(toEpochDay('2024-01-01'))).toBe(1); // Monday
    expect(fromEpochDay(isoWeekStart(toEpochDay('2024-01-07')))).toBe('2024-01-01');
    expect(() => toEpochDay('01/02/2024')).toThrow(RangeError);
  });
});

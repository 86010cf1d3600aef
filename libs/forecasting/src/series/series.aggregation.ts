import { fromEpochDay, isoWeekStart, monthOf, toEpochDay } from './calendar.util';

/** One booked movement of a SKU: positive for a sale, negative for a return. */
export interface DemandRecord {
  /** ISO day `YYYY-MM-DD` (or a Date, taken in UTC). */
  date: string | Date;
  quantity: number;
}

/** A regular daily series (no gaps). `censored[t]` marks days when demand was not fully observable. */
export interface DailySeries {
  start: string;
  values: number[];
  censored: boolean[];
}

export interface DailySeriesOptions {
  /** First and last day to cover (defaults: first and last record). Days without records count as zero demand. */
  start?: string;
  end?: string;
  /**
   * Days with no stock on hand at the end of the day (or closed days): sales there understate demand, so the
   * day is marked censored instead of being read as true demand (see `imputeCensored`).
   */
  stockoutDays?: Iterable<string>;
}

/**
 * Builds daily demand from sales and returns: quantities of a day are summed (returns netted against the sales
 * of the day they are booked on) and floored at zero, because a net return is stock coming back, not negative
 * demand — the stock position, not the forecast, accounts for it.
 */
export function toDailySeries(records: Iterable<DemandRecord>, options: DailySeriesOptions = {}): DailySeries {
  const byDay = new Map<number, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    const d = toEpochDay(r.date);
    byDay.set(d, (byDay.get(d) ?? 0) + r.quantity);
    first = Math.min(first, d);
    last = Math.max(last, d);
  }
  const start = options.start !== undefined ? toEpochDay(options.start) : first;
  const end = options.end !== undefined ? toEpochDay(options.end) : last;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start)
    return { start: options.start ?? '', values: [], censored: [] };
  const values = new Array<number>(end - start + 1).fill(0);
  for (const [d, q] of byDay) if (d >= start && d <= end) values[d - start] = Math.max(0, q);
  const censored = new Array<boolean>(values.length).fill(false);
  for (const day of options.stockoutDays ?? []) {
    const d = toEpochDay(day) - start;
    if (d >= 0 && d < values.length) censored[d] = true;
  }
  return { start: fromEpochDay(start), values, censored };
}

export interface AggregatedSeries {
  /** Period labels: the Monday (`YYYY-MM-DD`) of each ISO week, or `YYYY-MM`. */
  periods: string[];
  values: number[];
  /** Number of censored days inside each period. */
  censoredDays: number[];
  /** Days of each period covered by the daily series (a partial first or last period has fewer). */
  days: number[];
}

/**
 * Sums a daily series into ISO weeks (Monday start) or calendar months. Partial periods at either end are dropped
 * by default, because a half week read as a whole week looks like a demand drop. Impute censored days first
 * (`imputeCensored`) when the totals are to be forecast.
 */
export function aggregateDaily(
  series: DailySeries,
  to: 'week' | 'month',
  options: { keepPartial?: boolean } = {},
): AggregatedSeries {
  const out: AggregatedSeries = { periods: [], values: [], censoredDays: [], days: [] };
  const expected: number[] = [];
  const start = toEpochDay(series.start);
  let key = '';
  for (let t = 0; t < series.values.length; t++) {
    const day = start + t;
    const k = to === 'week' ? fromEpochDay(isoWeekStart(day)) : monthOf(day);
    if (k !== key) {
      key = k;
      out.periods.push(k);
      out.values.push(0);
      out.censoredDays.push(0);
      out.days.push(0);
      expected.push(to === 'week' ? 7 : daysInMonth(k));
    }
    const i = out.periods.length - 1;
    out.values[i] += series.values[t];
    out.censoredDays[i] += series.censored[t] ? 1 : 0;
    out.days[i]++;
  }
  if (options.keepPartial) return out;
  const keep = out.days.map((d, i) => d === expected[i]);
  return {
    periods: out.periods.filter((_, i) => keep[i]),
    values: out.values.filter((_, i) => keep[i]),
    censoredDays: out.censoredDays.filter((_, i) => keep[i]),
    days: out.days.filter((_, i) => keep[i]),
  };
}

function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

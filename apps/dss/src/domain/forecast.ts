import {
  aggregateDaily,
  bias,
  coverage,
  DAYS_PER_PERIOD,
  DemandForecast,
  forecastDemand,
  Frequency,
  imputeCensored,
  mae,
  maskCensored,
  ModelName,
  SEASONAL_PERIOD,
  seasonalNaiveScale,
  supportsModel,
} from '@app/forecasting';

/** A demand forecast as the DSS stores and serves it (one per SKU × store × frequency, the latest). */
export interface QuantileValue {
  quantile: number;
  value: number;
}

export interface ForecastPoint {
  /** First day of the period, `YYYY-MM-DD`. */
  periodStart: string;
  mean: number;
  /** Demand in this period at each level, ascending, never negative. */
  quantiles: QuantileValue[];
  /** Total demand from the first period up to this one at each level (lead-time demand). */
  cumulative: QuantileValue[];
}

export interface HistoryPoint {
  periodStart: string;
  /** Units sold, returns netted. */
  quantity: number;
  /** Stock ran out in the period: true demand may have been higher. */
  censored: boolean;
}

export interface ModelScore {
  model: string;
  label: string;
  /** Rolling-origin backtest MASE. */
  mase: number;
  /** Mean error (forecast − actual) relative to mean demand. */
  bias: number;
}

/**
 * How the chosen model did on the last periods it had not seen: forecast from before them, with parameters estimated
 * without them (on the backtest's training window when the model was chosen by backtest).
 */
export interface HoldoutAccuracy {
  periods: number;
  /** Periods with observed demand (censored ones are not scored). */
  scored: number;
  /** MAE over the holdout ÷ in-sample MAE of the seasonal naive forecast; null when that scale is 0. */
  mase: number | null;
  /** Mean error (forecast − actual) per period, in units; positive = over-forecast. */
  bias: number;
  /** bias ÷ mean actual demand; null without demand. */
  relativeBias: number | null;
  /** Share of actuals inside the 10%–90% interval. */
  coverage: number | null;
  actualTotal: number;
  forecastTotal: number;
}

export interface ForecastRecord {
  forecastId: string;
  sku: string;
  storeId: string;
  frequency: Frequency;
  model: string;
  label: string;
  title: string;
  demandClass: string;
  selectedBy: string;
  intervalMethod: string;
  /** Backtest scores of every candidate, best first. */
  candidates: ModelScore[];
  points: ForecastPoint[];
  historyStart?: string;
  historyPeriods: number;
  imputedPeriods: number;
  accuracy?: HoldoutAccuracy;
  computedAt: Date;
}

export interface DailyDemand {
  day: string;
  units: number;
  censored: boolean;
}

/**
 * Daily demand in compact form, as a computation reads it and hands it to its planning threads: net units per day
 * from `start` (zero days included) and the indexes of the stock-out days. A fraction of the cost of one object per
 * day to parse, copy between threads and collect.
 */
export interface DailyHistory {
  start: string;
  units: number[];
  censoredDays: number[];
}

const DAY_MS = 86_400_000;

/** The last list of day strings made: the pairs of a computation mostly start on the same day. */
let dayCache: { start: string; days: string[] } = { start: '', days: [] };

/** `n` consecutive days from `start`, `YYYY-MM-DD` (shared: callers must not change it). */
function daysFrom(start: string, n: number): readonly string[] {
  if (dayCache.start !== start || dayCache.days.length < n) {
    const t0 = Date.parse(`${start}T00:00:00Z`);
    const days = new Array<string>(n);
    for (let i = 0; i < n; i++) days[i] = new Date(t0 + i * DAY_MS).toISOString().slice(0, 10);
    dayCache = { start, days };
  }
  return dayCache.days;
}

/** The history as one row per day. */
export function historyRows(h: DailyHistory): DailyDemand[] {
  const days = daysFrom(h.start, h.units.length);
  const rows = h.units.map((units, i) => ({ day: days[i], units, censored: false }));
  for (const i of h.censoredDays) if (i >= 0 && i < rows.length) rows[i].censored = true;
  return rows;
}

/** A demand series ready to forecast: observed values for people, fit values for the models. */
export interface DemandSeries {
  frequency: Frequency;
  periods: string[];
  /** Observed net units (may be negative after returns). */
  observed: number[];
  censored: boolean[];
  /** What the models see: ≥ 0; for weeks and months, censored days already imputed. */
  fitValues: number[];
  /** Censored flags for the models (daily only; aggregates are imputed day by day first). */
  fitCensored?: boolean[];
}

/**
 * Daily rows → the series at the requested frequency. Weeks and months are summed from days after imputing the
 * stock-out days (same weekday, earlier weeks), so that one empty shelf day does not read as a weak week; partial
 * periods at either end are dropped. A period is shown as censored when any of its days was.
 */
export function demandSeries(rows: readonly DailyDemand[], frequency: Frequency): DemandSeries {
  const days = rows.map((r) => r.day);
  const observed = rows.map((r) => r.units);
  const censored = rows.map((r) => r.censored);
  if (frequency === 'day' || rows.length === 0) {
    return {
      frequency,
      periods: days,
      observed,
      censored,
      fitValues: observed.map((v) => Math.max(0, v)),
      fitCensored: censored,
    };
  }
  const clipped = observed.map((v) => Math.max(0, v));
  const imputed = Array.from(imputeCensored(clipped, censored, SEASONAL_PERIOD.day).values);
  const start = days[0];
  const seen = aggregateDaily({ start, values: observed, censored }, frequency);
  const fit = aggregateDaily({ start, values: imputed, censored }, frequency);
  return {
    frequency,
    periods: seen.periods.map((p) => (frequency === 'month' ? `${p}-01` : p)),
    observed: seen.values,
    censored: seen.censoredDays.map((d) => d > 0),
    fitValues: fit.values,
  };
}

/** Periods of the holdout for a number of days (at least one). */
export function holdoutPeriods(days: number, frequency: Frequency): number {
  return Math.max(1, Math.round(days / DAYS_PER_PERIOD[frequency]));
}

/**
 * Holdout backtest of the chosen model: fitted on all but the last `periods`, it forecasts them from that one
 * origin; scored on the observed (uncensored) periods. MASE is scaled by the in-sample seasonal naive MAE of the
 * training part (Hyndman & Koehler 2006), the same scale the model selection uses. Undefined when the series is too
 * short to leave a meaningful training part. `buildForecast` usually scores the library's own holdout forecast
 * (`scoreHoldout`), made by the backtest's fit without a second model search; this refits when there is none.
 */
export function holdoutAccuracy(series: DemandSeries, model: string, periods: number): HoldoutAccuracy | undefined {
  const n = series.fitValues.length;
  const period = SEASONAL_PERIOD[series.frequency];
  const minTrain = Math.max(2 * period + 2, 10);
  if (periods < 1 || n - periods < minTrain) return undefined;
  const trainEnd = n - periods;
  // A model that cannot be fitted on the shorter series would silently become "no demand": no score then.
  if (!supportsModel(model as ModelName, series.fitValues.slice(0, trainEnd), { period })) return undefined;
  const f = forecastDemand({
    values: series.fitValues.slice(0, trainEnd),
    censored: series.fitCensored?.slice(0, trainEnd),
    frequency: series.frequency,
    horizon: periods,
    quantileLevels: [0.1, 0.9],
    candidates: [model as ModelName],
  });
  return scoreHoldout(series, {
    periods,
    mean: f.mean,
    lower: f.perStep.map((q) => q[0]),
    upper: f.perStep.map((q) => q[1]),
  });
}

/** Scores a forecast of the last `periods` of the series (mean and 10%/90% quantiles per period). */
export function scoreHoldout(
  series: DemandSeries,
  f: { periods: number; mean: readonly number[]; lower: readonly number[]; upper: readonly number[] },
): HoldoutAccuracy | undefined {
  const { periods } = f;
  const n = series.fitValues.length;
  const period = SEASONAL_PERIOD[series.frequency];
  const trainEnd = n - periods;
  if (periods < 1 || trainEnd < 1) return undefined;
  const actual = maskCensored(
    series.fitValues.slice(trainEnd),
    series.fitCensored?.slice(trainEnd) ?? series.censored.slice(trainEnd),
  );
  const trainActual = maskCensored(series.fitValues.slice(0, trainEnd), series.fitCensored?.slice(0, trainEnd));
  const scored = actual.filter(Number.isFinite).length;
  if (scored === 0) return undefined;
  const scale = seasonalNaiveScale(trainActual, period);
  const m = mae(actual, f.mean);
  const b = bias(actual, f.mean);
  let actualTotal = 0;
  let forecastTotal = 0;
  actual.forEach((a, i) => {
    if (!Number.isFinite(a)) return;
    actualTotal += a;
    forecastTotal += f.mean[i];
  });
  const meanActual = actualTotal / scored;
  const cov = coverage(actual, f.lower, f.upper);
  return {
    periods,
    scored,
    mase: Number.isFinite(scale) && scale > 0 ? m / scale : null,
    bias: b,
    relativeBias: meanActual > 0 ? b / meanActual : null,
    coverage: Number.isFinite(cov) ? cov : null,
    actualTotal,
    forecastTotal,
  };
}

/** Adds `n` periods to a period start (days, Monday-weeks or first-of-months). */
export function addPeriods(periodStart: string, n: number, frequency: Frequency): string {
  const d = new Date(`${periodStart}T00:00:00Z`);
  if (frequency === 'month') d.setUTCMonth(d.getUTCMonth() + n);
  else d.setUTCDate(d.getUTCDate() + n * (frequency === 'week' ? 7 : 1));
  return d.toISOString().slice(0, 10);
}

/** Start of the period that contains `today`: the day itself, its ISO week's Monday, or its month's first day. */
export function periodContaining(today: string, frequency: Frequency): string {
  const d = new Date(`${today}T00:00:00Z`);
  if (frequency === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  else if (frequency === 'month') d.setUTCDate(1);
  return d.toISOString().slice(0, 10);
}

/** The library's forecast → the stored points, one per period from `firstPeriod`. */
export function forecastPoints(f: DemandForecast, firstPeriod: string): ForecastPoint[] {
  return f.mean.map((mean, j) => ({
    periodStart: addPeriods(firstPeriod, j, f.frequency),
    mean,
    quantiles: f.quantileLevels.map((quantile, i) => ({ quantile, value: f.perStep[j][i] })),
    cumulative: f.quantileLevels.map((quantile, i) => ({ quantile, value: f.cumulative[j][i] })),
  }));
}

/** Backtest scores with bias relative to the series' mean demand (as the API reports it). */
export function modelScores(f: DemandForecast, series: DemandSeries): ModelScore[] {
  const values = series.fitValues;
  const meanDemand = values.length > 0 ? values.reduce((s, v) => s + v, 0) / values.length : 0;
  return f.scores.map((s) => ({
    model: s.model,
    label: s.label,
    mase: s.mase,
    bias: meanDemand > 0 ? s.bias / meanDemand : 0,
  }));
}

/** A model was asked for that cannot be fitted to this series (too short, zeros for a multiplicative model, …). */
export class ModelNotApplicableError extends Error {
  constructor(
    readonly model: string,
    readonly periods: number,
    readonly frequency: Frequency,
  ) {
    super(
      `The ${model} model cannot be fitted to this series (${periods} ${frequency}s of history` +
        `${model.includes('multiplicative') ? ', and it needs demand above zero in every period' : ''}); ` +
        'leave the model empty for the automatic choice',
    );
    this.name = 'ModelNotApplicableError';
  }
}

export interface BuildForecastInput {
  forecastId: string;
  sku: string;
  storeId: string;
  /** Daily history up to yesterday (the last complete day), oldest first. */
  rows: readonly DailyDemand[];
  frequency: Frequency;
  /** Periods ahead. */
  horizon: number;
  quantileLevels: readonly number[];
  /** Force a model instead of the backtest's choice. */
  model?: ModelName;
  holdoutDays: number;
  today: string;
  computedAt: Date;
}

export interface BuiltForecast {
  record: ForecastRecord;
  demand: DemandForecast;
  series: DemandSeries;
}

/**
 * Forecasts one SKU at one store: the series at the frequency, the library's automatic model choice, the chosen
 * model's holdout accuracy, and the record to store. The first forecast period is the one containing today (weeks
 * and months: the current, incomplete one, which the history leaves out).
 */
export function buildForecast(input: BuildForecastInput): BuiltForecast {
  const series = demandSeries(input.rows, input.frequency);
  const period = SEASONAL_PERIOD[input.frequency];
  if (input.model && !supportsModel(input.model, series.fitValues, { period })) {
    throw new ModelNotApplicableError(input.model, series.fitValues.length, input.frequency);
  }
  const demand = forecastDemand({
    values: series.fitValues,
    censored: series.fitCensored,
    frequency: input.frequency,
    horizon: input.horizon,
    quantileLevels: input.quantileLevels,
    candidates: input.model ? [input.model] : undefined,
    holdout: holdoutPeriods(input.holdoutDays, input.frequency),
  });
  // The backtest's fit forecasts the holdout (no second model search); models chosen without a backtest are refitted.
  const accuracy =
    demand.model === 'zero'
      ? undefined
      : demand.holdout
        ? scoreHoldout(series, demand.holdout)
        : holdoutAccuracy(series, demand.model, holdoutPeriods(input.holdoutDays, input.frequency));
  const record: ForecastRecord = {
    forecastId: input.forecastId,
    sku: input.sku,
    storeId: input.storeId,
    frequency: input.frequency,
    model: demand.model,
    label: demand.label,
    title: demand.title,
    demandClass: demand.classification.demandClass,
    selectedBy: input.model ? 'forced' : demand.selectedBy,
    intervalMethod: demand.intervalMethod,
    candidates: modelScores(demand, series),
    points: forecastPoints(demand, periodContaining(input.today, input.frequency)),
    historyStart: series.periods[0],
    historyPeriods: series.periods.length,
    imputedPeriods: demand.imputedPeriods,
    accuracy,
    computedAt: input.computedAt,
  };
  return { record, demand, series };
}

/** The last `n` periods of history, for charts. */
export function historyPoints(series: DemandSeries, n: number): HistoryPoint[] {
  const from = Math.max(0, series.periods.length - n);
  return series.periods.slice(from).map((periodStart, i) => ({
    periodStart,
    quantity: series.observed[from + i],
    censored: series.censored[from + i],
  }));
}

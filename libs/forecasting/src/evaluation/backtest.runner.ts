import { fitCandidates } from '../models/candidate.fitter';
import { FitContext, FittedModel, ModelName } from '../models/model.types';
import { Frequency } from '../series/frequency';
import { bias, mae, rmse, seasonalNaiveScale } from './accuracy.metrics';

export interface BacktestSettings {
  /** Steps ahead scored from each origin. */
  horizon: number;
  /** Number of forecast origins. */
  windows: number;
  /** Periods between consecutive origins. */
  step: number;
}

/** Defaults per frequency: about a month of daily forecasts, a quarter of weeks, two years of months. */
export const DEFAULT_BACKTEST: Readonly<Record<Frequency, BacktestSettings>> = {
  day: { horizon: 14, windows: 4, step: 7 },
  week: { horizon: 8, windows: 3, step: 4 },
  month: { horizon: 12, windows: 3, step: 6 },
};

export interface BacktestPlan {
  /** Models are fitted on y[0..trainEnd); trainEnd is also the first origin. */
  trainEnd: number;
  origins: number[];
  horizon: number;
}

/**
 * Rolling-origin plan (Tashman 2000) ending at the last observation: origins trainEnd, trainEnd + step, …, with the
 * last window ending exactly at n. Shrinks the number of windows, then the horizon, when the series is short;
 * returns undefined when fewer than `minTrain` observations would remain for fitting.
 */
export function planBacktest(n: number, settings: BacktestSettings, minTrain: number): BacktestPlan | undefined {
  let { horizon, windows } = settings;
  const step = Math.max(1, settings.step);
  while (windows > 1 && n - horizon - (windows - 1) * step < minTrain) windows--;
  while (horizon > 1 && n - horizon < minTrain) horizon = Math.max(1, Math.floor(horizon / 2));
  const trainEnd = n - horizon - (windows - 1) * step;
  if (trainEnd < minTrain || trainEnd < 1) return undefined;
  const origins = Array.from({ length: windows }, (_, i) => trainEnd + i * step);
  return { trainEnd, origins, horizon };
}

export interface CandidateScore {
  model: ModelName;
  label: string;
  /** Mean absolute scaled error over every scored period (scale: in-sample seasonal naive on the training window). */
  mase: number;
  mae: number;
  rmse: number;
  /** Mean error, forecast − actual. */
  bias: number;
  /** Number of scored periods (censored periods are not scored). */
  scored: number;
}

export interface BacktestResult {
  plan: BacktestPlan;
  scale: number;
  scores: CandidateScore[];
  /** Models fitted on the training window, by name (the winner is refitted on the full series by the caller). */
  fits: Map<ModelName, FittedModel>;
}

/**
 * Fits every candidate on y[0..trainEnd) and scores its forecasts from each origin against `actual`
 * (NaN = not observed). `y` is the series the models see (censored periods imputed); forecasts at an origin only
 * use y before it. Scores are sorted best first; ties keep the candidate order.
 */
export function backtest(
  candidates: readonly ModelName[],
  y: ArrayLike<number>,
  actual: ArrayLike<number>,
  context: FitContext,
  plan: BacktestPlan,
): BacktestResult {
  const train = Array.prototype.slice.call(y, 0, plan.trainEnd) as number[];
  const trainActual = Array.prototype.slice.call(actual, 0, plan.trainEnd) as number[];
  const scale = seasonalNaiveScale(trainActual, context.period);
  const fits = fitCandidates(candidates, train, context);
  const h = plan.horizon;
  const scores: CandidateScore[] = [];
  const actualFlat: number[] = [];
  for (const o of plan.origins)
    for (let j = 0; j < h; j++) actualFlat.push(o + j < actual.length ? actual[o + j] : Number.NaN);
  for (const name of candidates) {
    const fit = fits.get(name);
    if (!fit) continue;
    const forecasts = fit.forecastAt(y, plan.origins, h);
    const flat: number[] = [];
    for (const f of forecasts) for (let j = 0; j < h; j++) flat.push(Math.max(0, f[j]));
    const m = mae(actualFlat, flat);
    scores.push({
      model: name,
      label: fit.label,
      mase: Number.isFinite(scale) && scale > 0 ? m / scale : m,
      mae: m,
      rmse: rmse(actualFlat, flat),
      bias: bias(actualFlat, flat),
      scored: actualFlat.filter(Number.isFinite).length,
    });
  }
  const order = new Map(candidates.map((c, i) => [c, i]));
  scores.sort((a, b) => {
    const d = (Number.isFinite(a.mase) ? a.mase : Infinity) - (Number.isFinite(b.mase) ? b.mase : Infinity);
    return Math.abs(d) > 1e-9 ? d : order.get(a.model)! - order.get(b.model)!;
  });
  return { plan, scale, scores, fits };
}

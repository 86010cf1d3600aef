import {
  BacktestSettings,
  CandidateScore,
  DEFAULT_BACKTEST,
  backtest,
  planBacktest,
} from './evaluation/backtest.runner';
import { isIntegerValued } from './math/stats.util';
import { extendFitted, refit, supportsModel } from './models/candidate.fitter';
import { modelByName } from './models/model.registry';
import { FittedModel, MODEL_TITLES, ModelName } from './models/model.types';
import { imputeCensored, maskCensored } from './series/censoring.imputer';
import { candidatesFor, classifyDemand, DemandClassification, isIntermittentClass } from './series/demand.classifier';
import { Frequency, SEASONAL_PERIOD } from './series/frequency';
import { DEFAULT_QUANTILE_LEVELS, IntervalMethod, predictionQuantiles } from './uncertainty/prediction.quantiles';

export interface ForecastRequest {
  /** Demand per period, oldest first, returns already netted (negative values are read as 0). */
  values: readonly number[];
  frequency: Frequency;
  /** Periods to forecast. For a replenishment decision: at least lead time + review period. */
  horizon: number;
  /** Periods whose demand was not fully observed (stock-outs, closures): imputed for fitting, never scored. */
  censored?: readonly boolean[];
  /** Quantile levels in (0, 1) (default 5%, 10%, 25%, 50%, 75%, 90%, 95%). */
  quantileLevels?: readonly number[];
  /** Restrict or override the candidate models (default: chosen by demand class). */
  candidates?: readonly ModelName[];
  /** Rolling-origin settings for model selection (defaults per frequency, see DEFAULT_BACKTEST). */
  backtest?: Partial<BacktestSettings>;
  /** Override the seasonal period implied by the frequency. */
  period?: number;
  /** Treat the series as counts (integer quantiles). Default: detected from the values. */
  integer?: boolean;
  /**
   * Quantiles for intermittent and lumpy series: `count` (default) fits a Poisson / negative binomial to the mean
   * and dispersion; `bootstrap` resamples the series' recent demand sizes around the model's mean (compound
   * bootstrap); `empirical` uses the model's rolling-origin errors of cumulative demand, like smooth series.
   * On the Online Retail replay `count` was the best calibrated (see bench/dss).
   */
  intermittentQuantiles?: 'bootstrap' | 'count' | 'empirical';
  /**
   * Periods at the end of the history to forecast out of sample for an accuracy report (see `holdout` in the result).
   * Costs one replay of the backtest's fit, no extra model fit.
   */
  holdout?: number;
}

/**
 * Out-of-sample forecast of the last `periods` of the history from one origin, made by the chosen model as fitted
 * in the backtest (on y[0..trainEnd), trainEnd ≤ n − periods): neither its parameters nor its states saw those periods.
 */
export interface HoldoutForecast {
  periods: number;
  /** Observations the parameters were estimated on (the backtest's training window). */
  trainEnd: number;
  mean: number[];
  /** 10% and 90% quantiles per step. */
  lower: number[];
  upper: number[];
}

export interface DemandForecast {
  model: ModelName;
  /** Specific label of the fitted model, e.g. `ETS(A,Ad,A)`. */
  label: string;
  /** Planner-facing model name, e.g. "Holt damped trend". */
  title: string;
  params: Readonly<Record<string, number>>;
  /** How the model was chosen. */
  selectedBy: 'backtest' | 'fallback' | 'single_candidate' | 'no_demand';
  classification: DemandClassification;
  frequency: Frequency;
  period: number;
  /** Point forecasts per step (≥ 0). */
  mean: number[];
  /** Running sum of `mean`: expected demand over steps 1..h. */
  cumulativeMean: number[];
  quantileLevels: number[];
  /** perStep[j][i]: quantile quantileLevels[i] of the demand in step j + 1. */
  perStep: number[][];
  /** cumulative[j][i]: quantile quantileLevels[i] of the total demand over steps 1..j + 1 (lead-time demand). */
  cumulative: number[][];
  intervalMethod: IntervalMethod;
  /** Standard deviation of one-step-ahead forecast errors, per period. */
  oneStepSd: number;
  /** Backtest score of every candidate, best first (empty when no backtest was possible). */
  scores: CandidateScore[];
  /** Backtest MASE of the chosen model, when chosen by backtest. */
  backtestMase?: number;
  historyLength: number;
  imputedPeriods: number;
  /** Present when asked for (`request.holdout`) and the chosen model came from a backtest that left those periods out. */
  holdout?: HoldoutForecast;
}

/** Share of the history beyond which the chosen model is re-estimated on the full series. */
const REFIT_SHARE = 0.1;

/** Preference when a series is too short to backtest: the most robust model that fits. */
const FALLBACK_ORDER: readonly ModelName[] = ['sba', 'ses', 'moving_average', 'naive', 'zero'];

/**
 * Forecasts one demand series end to end: impute censored periods, classify (ADI / CV²), pick candidates for the
 * class, choose the best by rolling-origin backtest MASE, refit it on the whole history, and attach quantiles per
 * step and for cumulative demand. Pure and deterministic.
 */
export function forecastDemand(request: ForecastRequest): DemandForecast {
  const { frequency } = request;
  if (!Number.isFinite(request.horizon) || request.horizon < 1)
    throw new RangeError('horizon must be a positive number of periods');
  const horizon = Math.floor(request.horizon);
  const period = request.period ?? SEASONAL_PERIOD[frequency];
  const context = { period };
  const raw = request.values.map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
  const censored = request.censored;
  if (censored && censored.length !== raw.length) throw new RangeError('censored must have one flag per value');
  const { values: y, imputed } = imputeCensored(raw, censored, period);
  const actual = maskCensored(raw, censored);
  const classification = classifyDemand(actual);
  const levels = [...(request.quantileLevels ?? DEFAULT_QUANTILE_LEVELS)];
  for (const p of levels) if (!(p > 0 && p < 1)) throw new RangeError(`quantile level must be in (0, 1), got ${p}`);
  const integer = request.integer ?? isIntegerValued(raw);
  const intermittent = isIntermittentClass(classification.demandClass);

  let candidates = [...(request.candidates ?? candidatesFor(classification.demandClass))];
  if (classification.demandClass === 'no_demand' && !request.candidates) candidates = ['zero'];
  candidates = candidates.filter((c) => supportsModel(c, y, context));

  let chosen: FittedModel;
  let selectedBy: DemandForecast['selectedBy'];
  let scores: CandidateScore[] = [];
  let backtestMase: number | undefined;
  let backtestFit: FittedModel | undefined;
  const settings = { ...DEFAULT_BACKTEST[frequency], ...request.backtest };
  const plan = planBacktest(y.length, settings, Math.max(2 * period + 2, 10));
  if (classification.demandClass === 'no_demand' || candidates.length === 0 || y.length === 0) {
    chosen = modelByName('zero').fit(y, context);
    selectedBy = 'no_demand';
  } else if (candidates.length === 1) {
    chosen = modelByName(candidates[0]).fit(y, context);
    selectedBy = 'single_candidate';
  } else if (plan) {
    const result = backtest(candidates, y, actual, context, plan);
    scores = result.scores;
    const best = scores.length > 0 ? result.fits.get(scores[0].model) : undefined;
    if (best) {
      // Refit only when the backtest windows are a sizeable share of the history; otherwise the training-window
      // parameters are kept and the states roll forward over the last periods (nearly identical, much cheaper).
      chosen = y.length - plan.trainEnd > REFIT_SHARE * y.length ? refit(best, y, context) : extendFitted(best, y);
      backtestMase = scores[0].mase;
      backtestFit = best;
      selectedBy = 'backtest';
    } else {
      chosen = fallback(candidates, y, period);
      selectedBy = 'fallback';
    }
  } else {
    chosen = fallback(candidates, y, period);
    selectedBy = 'fallback';
  }

  const point = chosen.forecast(horizon);
  const mean = Array.from(point, (v) => Math.max(0, v));
  const cumulativeMean: number[] = [];
  mean.reduce((s, v) => {
    cumulativeMean.push(s + v);
    return s + v;
  }, 0);
  const q = predictionQuantiles(chosen, y, actual, mean, {
    levels,
    integer,
    intermittent: (intermittent && request.intermittentQuantiles !== 'empirical') || chosen.name === 'zero',
    intermittentMethod: request.intermittentQuantiles === 'bootstrap' ? 'bootstrap' : 'count',
    minOrigin: Math.min(Math.max(period, 4), Math.floor(y.length / 2)),
  });
  const holdoutPeriods = Math.floor(request.holdout ?? 0);
  const holdout =
    backtestFit && plan && holdoutPeriods >= 1 && plan.trainEnd <= y.length - holdoutPeriods
      ? holdoutForecast(backtestFit, y, actual, holdoutPeriods, plan.trainEnd, {
          integer,
          intermittent: (intermittent && request.intermittentQuantiles !== 'empirical') || chosen.name === 'zero',
          intermittentMethod: request.intermittentQuantiles === 'bootstrap' ? 'bootstrap' : 'count',
          period,
        })
      : undefined;
  return {
    model: chosen.name,
    label: chosen.label,
    title: chosen.name === 'ets' ? `exponential smoothing ${chosen.label}` : MODEL_TITLES[chosen.name],
    params: chosen.params,
    selectedBy,
    classification,
    frequency,
    period,
    mean,
    cumulativeMean,
    quantileLevels: q.levels,
    perStep: q.perStep,
    cumulative: q.cumulative,
    intervalMethod: chosen.name === 'zero' ? 'none' : q.method,
    oneStepSd: q.oneStepSd,
    scores,
    backtestMase,
    historyLength: y.length,
    imputedPeriods: imputed,
    holdout,
  };
}

/**
 * The backtest fit replayed up to n − periods, forecasting the rest, with 10%/90% quantiles from its errors on the
 * history before that origin only (what a fit on the shorter series would report, without a second model search).
 */
function holdoutForecast(
  fit: FittedModel,
  y: ArrayLike<number>,
  actual: ArrayLike<number>,
  periods: number,
  trainEnd: number,
  options: { integer: boolean; intermittent: boolean; intermittentMethod: 'bootstrap' | 'count'; period: number },
): HoldoutForecast {
  const origin = y.length - periods;
  const mean = Array.from(fit.forecastAt(y, [origin], periods)[0], (v) => Math.max(0, v));
  const before = Array.prototype.slice.call(y, 0, origin) as number[];
  const actualBefore = Array.prototype.slice.call(actual, 0, origin) as number[];
  const q = predictionQuantiles(fit, before, actualBefore, mean, {
    levels: [0.1, 0.9],
    integer: options.integer,
    intermittent: options.intermittent,
    intermittentMethod: options.intermittentMethod,
    minOrigin: Math.min(Math.max(options.period, 4), Math.floor(origin / 2)),
  });
  return {
    periods,
    trainEnd,
    mean,
    lower: q.perStep.map((r) => r[0]),
    upper: q.perStep.map((r) => r[1]),
  };
}

function fallback(candidates: ModelName[], y: ArrayLike<number>, period: number): FittedModel {
  const name = FALLBACK_ORDER.find((m) => candidates.includes(m)) ?? candidates[0];
  return modelByName(name).fit(y, { period });
}

/**
 * Quantiles of the total demand over a possibly fractional number of periods, interpolated between the cumulative
 * quantiles of the neighbouring whole steps (0 periods → 0). Beyond the horizon the last step is scaled up.
 */
export function cumulativeQuantilesAt(forecast: DemandForecast, periods: number): number[] {
  const h = forecast.cumulative.length;
  if (periods <= 0) return forecast.quantileLevels.map(() => 0);
  if (periods > h) return forecast.cumulative[h - 1].map((v) => (v * periods) / h);
  const lo = Math.floor(periods);
  const frac = periods - lo;
  const below = lo === 0 ? forecast.quantileLevels.map(() => 0) : forecast.cumulative[lo - 1];
  if (frac === 0) return [...below];
  const above = forecast.cumulative[lo];
  return below.map((v, i) => v + frac * (above[i] - v));
}

import {
  classifyDemand,
  coverage,
  fitCandidates,
  forecastDemand,
  Frequency,
  isIntegerValued,
  isIntermittentClass,
  mae,
  mape,
  median,
  ModelName,
  MODEL_NAMES,
  pinballLoss,
  predictionQuantiles,
  SEASONAL_PERIOD,
  seasonalNaiveScale,
  smape,
  supportsModel,
} from '@app/forecasting';

/** The row name of the automatic selection (classification, routing, rolling-origin backtest). */
export const AUTO = 'auto';
export type EvaluatedModel = ModelName | typeof AUTO;

/** Every model but the trivial zero forecast, then the automatic selection. */
export const ALL_MODELS: readonly ModelName[] = MODEL_NAMES.filter((m) => m !== 'zero');

const PINBALL_LEVELS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];

export interface ModelScore {
  mase: number;
  /** Mean error (forecast − actual) divided by the MASE scale: comparable across series. */
  scaledBias: number;
  /** Share of holdout values inside the central prediction interval. */
  coverage: number;
  /** Mean pinball loss over the quantile levels, divided by the MASE scale (scaled pinball loss, as in M5). */
  spl: number;
  mae: number;
  mape: number;
  smape: number;
  ms: number;
  label: string;
}

export interface SeriesEvaluation {
  id: string;
  length: number;
  demandClass: string;
  scale: number;
  scores: Partial<Record<EvaluatedModel, ModelScore>>;
  autoChoice?: string;
}

/**
 * Scores each model on the last `holdout` periods of one series: models are fitted on the periods before, forecast
 * the whole holdout from its start, and their quantiles come from the same estimator the service uses
 * (empirical rolling-origin errors, or count distributions for intermittent series).
 */
export function evaluateSeries(
  id: string,
  values: readonly number[],
  options: { freq: Frequency; holdout: number; models: readonly ModelName[]; interval: number },
): SeriesEvaluation {
  const period = SEASONAL_PERIOD[options.freq];
  const h = options.holdout;
  const train = values.slice(0, values.length - h);
  const test = values.slice(values.length - h);
  const scale = seasonalNaiveScale(train, period);
  const classification = classifyDemand(train);
  const intermittent = isIntermittentClass(classification.demandClass);
  const integer = isIntegerValued(train);
  const lo = (1 - options.interval) / 2;
  const levels = [...new Set([lo, ...PINBALL_LEVELS, 1 - lo])].sort((a, b) => a - b);
  const iLo = levels.indexOf(lo);
  const iHi = levels.indexOf(1 - lo);
  const score = (label: string, mean: number[], perStep: number[][], ms: number): ModelScore => {
    const errors = mean.map((f, j) => f - test[j]);
    const pinball = PINBALL_LEVELS.reduce(
      (s, p) =>
        s +
        pinballLoss(
          test,
          perStep.map((row) => row[levels.indexOf(p)]),
          p,
        ),
      0,
    );
    return {
      label,
      mase: mae(test, mean) / scale,
      scaledBias: errors.reduce((s, e) => s + e, 0) / errors.length / scale,
      coverage: coverage(
        test,
        perStep.map((r) => r[iLo]),
        perStep.map((r) => r[iHi]),
      ),
      spl: pinball / PINBALL_LEVELS.length / scale,
      mae: mae(test, mean),
      mape: mape(test, mean),
      smape: smape(test, mean),
      ms,
    };
  };
  const result: SeriesEvaluation = {
    id,
    length: values.length,
    demandClass: classification.demandClass,
    scale,
    scores: {},
  };
  for (const name of options.models) {
    if (!supportsModel(name, train, { period })) continue;
    const start = process.hrtime.bigint();
    const fit = fitCandidates([name], train, { period }).get(name);
    if (!fit) continue;
    const mean = Array.from(fit.forecast(h), (v) => Math.max(0, v));
    const q = predictionQuantiles(fit, train, train, mean, {
      levels,
      integer,
      intermittent,
      minOrigin: Math.min(Math.max(period, 4), Math.floor(train.length / 2)),
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    result.scores[name] = score(fit.label, mean, q.perStep, ms);
  }
  const start = process.hrtime.bigint();
  const auto = forecastDemand({ values: train, frequency: options.freq, horizon: h, quantileLevels: levels });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  result.scores[AUTO] = score(auto.label, auto.mean, auto.perStep, ms);
  result.autoChoice = auto.model;
  return result;
}

export interface ModelSummary {
  model: EvaluatedModel;
  series: number;
  meanMase: number;
  medianMase: number;
  meanScaledBias: number;
  coverage: number;
  meanSpl: number;
  /** Share of series where the model's MASE is below seasonal naive's. */
  beatsSeasonalNaive: number;
  seconds: number;
  /** Filled only for a single series: its MAE, MAPE (%) and sMAPE (%). */
  mae?: number;
  mape?: number;
  smape?: number;
  label?: string;
}

export function summarise(evaluations: readonly SeriesEvaluation[], models: readonly EvaluatedModel[]): ModelSummary[] {
  const rows: ModelSummary[] = [];
  for (const model of models) {
    const scored = evaluations
      .map((e) => ({ e, s: e.scores[model] }))
      .filter((x): x is { e: SeriesEvaluation; s: ModelScore } => !!x.s && Number.isFinite(x.s.mase));
    if (scored.length === 0) continue;
    const mases = scored.map((x) => x.s.mase);
    const vsSnaive = scored.filter((x) => x.e.scores.seasonal_naive && Number.isFinite(x.e.scores.seasonal_naive.mase));
    const avg = (f: (s: ModelScore) => number) => {
      const v = scored.map((x) => f(x.s)).filter(Number.isFinite);
      return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
    };
    const row: ModelSummary = {
      model,
      series: scored.length,
      meanMase: avg((s) => s.mase),
      medianMase: median(mases),
      meanScaledBias: avg((s) => s.scaledBias),
      coverage: avg((s) => s.coverage),
      meanSpl: avg((s) => s.spl),
      beatsSeasonalNaive:
        vsSnaive.length > 0
          ? vsSnaive.filter((x) => x.s.mase < x.e.scores.seasonal_naive!.mase - 1e-12).length / vsSnaive.length
          : Number.NaN,
      seconds: scored.reduce((a, x) => a + x.s.ms, 0) / 1000,
    };
    if (evaluations.length === 1) {
      Object.assign(row, {
        mae: scored[0].s.mae,
        mape: scored[0].s.mape,
        smape: scored[0].s.smape,
        label: scored[0].s.label,
      });
    }
    rows.push(row);
  }
  return rows;
}

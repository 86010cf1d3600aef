/**
 * Demand forecasting, framework-free: models, automatic selection by rolling-origin backtest, count-aware
 * quantiles, accuracy metrics and series helpers. Entry point for services: `forecastDemand`.
 */
export * from './demand.forecaster';
export * from './evaluation/accuracy.metrics';
export * from './evaluation/backtest.runner';
export * from './math/distributions';
export { nelderMead, goldenSection } from './math/nelder-mead.optimizer';
export type { NelderMeadOptions, NelderMeadResult } from './math/nelder-mead.optimizer';
export { mean, median, quantile, variance, isIntegerValued, seededRandom } from './math/stats.util';
export { fitCandidates, refit, supportsModel, ETS_METHOD_SPECS } from './models/candidate.fitter';
export * from './models/ets.model';
export * from './models/intermittent.models';
export * from './models/model.registry';
export * from './models/model.types';
export * from './models/moving-average.model';
export * from './models/naive.model';
export * from './models/theta.model';
export * from './series/calendar.util';
export * from './series/censoring.imputer';
export * from './series/decomposition';
export * from './series/demand.classifier';
export * from './series/frequency';
export * from './series/series.aggregation';
export * from './uncertainty/prediction.quantiles';

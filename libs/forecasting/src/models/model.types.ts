/** Every model the library knows; `ets` is the automatic ETS family (chosen by AICc). */
export const MODEL_NAMES = [
  'naive',
  'seasonal_naive',
  'moving_average',
  'ses',
  'holt',
  'holt_winters_additive',
  'holt_winters_multiplicative',
  'ets',
  'theta',
  'croston',
  'sba',
  'tsb',
  'adida',
  'zero',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Human-readable names, used in reasons shown to planners. */
export const MODEL_TITLES: Readonly<Record<ModelName, string>> = {
  naive: 'naive',
  seasonal_naive: 'seasonal naive',
  moving_average: 'moving average',
  ses: 'simple exponential smoothing',
  holt: 'Holt damped trend',
  holt_winters_additive: 'Holt-Winters additive',
  holt_winters_multiplicative: 'Holt-Winters multiplicative',
  ets: 'ETS (auto)',
  theta: 'Theta',
  croston: 'Croston',
  sba: 'Syntetos-Boylan (SBA)',
  tsb: 'Teunter-Syntetos-Babai (TSB)',
  adida: 'ADIDA',
  zero: 'no demand',
};

export interface FitContext {
  /** Seasonal period in observations (7 daily, 52 weekly, 12 monthly; 1 = no seasonality). */
  period: number;
}

/**
 * A model with estimated parameters. Point forecasts only: uncertainty is estimated generically from the model's
 * rolling-origin errors (see `prediction.quantiles.ts`), so every model gets comparable intervals.
 */
export interface FittedModel {
  readonly name: ModelName;
  /** Specific label, e.g. `ETS(M,Ad,M)` or `MA(28)`. */
  readonly label: string;
  readonly params: Readonly<Record<string, number>>;
  /** Number of observations the model was fitted on. */
  readonly n: number;
  /** AICc when the model has a likelihood (ETS family). */
  readonly aicc?: number;
  /** Point forecasts for steps 1..h after the last fitted observation. */
  forecast(h: number): Float64Array;
  /**
   * Replays the model's recursions with its parameters frozen over `y` (the fitted data, possibly followed by later
   * observations) and returns, for each origin o (the number of observations known), the forecasts for y[o..o+h−1].
   * Only y[0..o−1] influences the forecast made at origin o: this is what rolling-origin evaluation relies on.
   */
  forecastAt(y: ArrayLike<number>, origins: readonly number[], h: number): Float64Array[];
}

export interface ForecastModel {
  readonly name: ModelName;
  /** Whether the model can be fitted on y (enough observations, positive data for multiplicative models, …). */
  supports(y: ArrayLike<number>, context: FitContext): boolean;
  fit(y: ArrayLike<number>, context: FitContext): FittedModel;
}

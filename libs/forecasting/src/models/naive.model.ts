import { FitContext, FittedModel, ForecastModel } from './model.types';

/** Last value carried forward. */
export const naiveModel: ForecastModel = {
  name: 'naive',
  supports: (y) => y.length >= 1,
  fit(y: ArrayLike<number>): FittedModel {
    const n = y.length;
    const last = n > 0 ? y[n - 1] : 0;
    return {
      name: 'naive',
      label: 'Naive',
      params: {},
      n,
      forecast: (h) => new Float64Array(h).fill(last),
      forecastAt: (series, origins, h) => origins.map((o) => new Float64Array(h).fill(o > 0 ? series[o - 1] : 0)),
    };
  },
};

/** Value of the same season one period earlier: ŷ(n+h) = y(n + h − m·⌈h/m⌉). */
export const seasonalNaiveModel: ForecastModel = {
  name: 'seasonal_naive',
  supports: (y, context) => y.length >= Math.max(1, context.period),
  fit(y: ArrayLike<number>, context: FitContext): FittedModel {
    const m = Math.max(1, context.period);
    const n = y.length;
    const at = (series: ArrayLike<number>, o: number, h: number): Float64Array => {
      const out = new Float64Array(h);
      if (o < m) return out.fill(o > 0 ? series[o - 1] : 0);
      for (let j = 0; j < h; j++) out[j] = series[o - m + (j % m)];
      return out;
    };
    return {
      name: 'seasonal_naive',
      label: `SeasonalNaive(${m})`,
      params: { period: m },
      n,
      forecast: (h) => at(y, n, h),
      forecastAt: (series, origins, h) => origins.map((o) => at(series, o, h)),
    };
  },
};

/** Always zero: the forecast for SKUs that never sold. */
export const zeroModel: ForecastModel = {
  name: 'zero',
  supports: () => true,
  fit(y: ArrayLike<number>): FittedModel {
    return {
      name: 'zero',
      label: 'Zero',
      params: {},
      n: y.length,
      forecast: (h) => new Float64Array(h),
      forecastAt: (_series, origins, h) => origins.map(() => new Float64Array(h)),
    };
  },
};

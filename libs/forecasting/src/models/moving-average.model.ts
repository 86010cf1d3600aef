import { FitContext, FittedModel, ForecastModel } from './model.types';

/** Window candidates: whole seasonal cycles so the average is not biased towards some weekdays or months. */
function windowCandidates(period: number, n: number): number[] {
  const base = period > 1 ? [period, 2 * period, 4 * period] : [3, 6, 12];
  const fitting = base.filter((k) => k <= Math.max(1, Math.floor(n / 2)));
  return fitting.length > 0 ? fitting : [Math.max(1, Math.min(n, base[0]))];
}

/**
 * Mean of the last k observations, k chosen among whole-cycle windows by in-sample one-step mean absolute error
 * (or fixed with `window`).
 */
export function movingAverageModel(options: { window?: number } = {}): ForecastModel {
  return {
    name: 'moving_average',
    supports: (y) => y.length >= 1,
    fit(y: ArrayLike<number>, context: FitContext): FittedModel {
      const n = y.length;
      const prefix = new Float64Array(n + 1);
      for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + y[i];
      let k = options.window ?? 0;
      if (!k) {
        const candidates = windowCandidates(context.period, n);
        const start = Math.max(...candidates);
        let bestErr = Number.POSITIVE_INFINITY;
        for (const c of candidates) {
          let err = 0;
          for (let t = start; t < n; t++) err += Math.abs(y[t] - (prefix[t] - prefix[t - c]) / c);
          if (err < bestErr - 1e-12) {
            bestErr = err;
            k = c;
          }
        }
      }
      const window = k;
      const at = (series: ArrayLike<number>, o: number, h: number): Float64Array => {
        const w = Math.min(window, o);
        let s = 0;
        for (let i = o - w; i < o; i++) s += series[i];
        return new Float64Array(h).fill(w > 0 ? s / w : 0);
      };
      return {
        name: 'moving_average',
        label: `MA(${window})`,
        params: { window },
        n,
        forecast: (h) => at(y, n, h),
        forecastAt: (series, origins, h) => origins.map((o) => at(series, o, h)),
      };
    },
  };
}

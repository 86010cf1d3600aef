import { goldenSection } from '../math/nelder-mead.optimizer';
import { FittedModel, ForecastModel, ModelName } from './model.types';

/**
 * Intermittent-demand models. Initialisation follows statsforecast so results match it: smoothed size starts at the
 * first non-zero demand, smoothed interval at the position of the first demand + 1, TSB's probability at the first
 * period's occurrence. Before the first demand the forecast is 0.
 */

interface CrostonState {
  size: number;
  interval: number;
  seen: boolean;
  sinceLast: number;
}

function crostonStep(s: CrostonState, yt: number, alpha: number): void {
  s.sinceLast++;
  if (yt > 0) {
    if (!s.seen) {
      s.size = yt;
      s.interval = s.sinceLast;
      s.seen = true;
    } else {
      s.size += alpha * (yt - s.size);
      s.interval += alpha * (s.sinceLast - s.interval);
    }
    s.sinceLast = 0;
  }
}

function crostonFamily(name: 'croston' | 'sba', alpha: number): ForecastModel {
  // SBA (Syntetos & Boylan 2005) removes Croston's positive bias with the factor (1 − α/2).
  const factor = name === 'sba' ? 1 - alpha / 2 : 1;
  const replay = (y: ArrayLike<number>, origins: readonly number[], h: number): Float64Array[] => {
    const sorted = [...origins].sort((a, b) => a - b);
    const out = new Map<number, Float64Array>();
    const s: CrostonState = { size: 0, interval: 1, seen: false, sinceLast: 0 };
    let t = 0;
    for (const o of sorted) {
      for (; t < o; t++) crostonStep(s, y[t], alpha);
      out.set(o, new Float64Array(h).fill(s.seen ? (factor * s.size) / s.interval : 0));
    }
    return origins.map((o) => out.get(o)!);
  };
  return {
    name,
    supports: (y) => y.length >= 1,
    fit(y): FittedModel {
      const n = y.length;
      const final = replay(y, [n], 1)[0][0];
      return {
        name,
        label: `${name === 'sba' ? 'SBA' : 'Croston'}(α=${alpha})`,
        params: { alpha },
        n,
        forecast: (h) => new Float64Array(h).fill(final),
        forecastAt: replay,
      };
    },
  };
}

/** Croston (1972): SES on non-zero sizes and on inter-demand intervals; forecast = size / interval. */
export function crostonModel(options: { alpha?: number } = {}): ForecastModel {
  return crostonFamily('croston', options.alpha ?? 0.1);
}

/** Syntetos-Boylan approximation: Croston × (1 − α/2). */
export function sbaModel(options: { alpha?: number } = {}): ForecastModel {
  return crostonFamily('sba', options.alpha ?? 0.1);
}

/**
 * Teunter, Syntetos & Babai (2011): the demand probability is smoothed every period (so it decays when demand
 * stops, unlike Croston), the size only when demand occurs; forecast = probability × size.
 */
export function tsbModel(options: { alphaSize?: number; alphaProbability?: number } = {}): ForecastModel {
  const a = options.alphaSize ?? 0.1;
  const b = options.alphaProbability ?? 0.1;
  const replay = (y: ArrayLike<number>, origins: readonly number[], h: number): Float64Array[] => {
    const sorted = [...origins].sort((x, z) => x - z);
    const out = new Map<number, Float64Array>();
    let prob = 0;
    let size = 0;
    let seenSize = false;
    let t = 0;
    for (const o of sorted) {
      for (; t < o; t++) {
        const d = y[t] > 0 ? 1 : 0;
        prob = t === 0 ? d : prob + b * (d - prob);
        if (d) {
          size = seenSize ? size + a * (y[t] - size) : y[t];
          seenSize = true;
        }
      }
      out.set(o, new Float64Array(h).fill(seenSize ? prob * size : 0));
    }
    return origins.map((o) => out.get(o)!);
  };
  return {
    name: 'tsb',
    supports: (y) => y.length >= 1,
    fit(y): FittedModel {
      const n = y.length;
      const final = replay(y, [n], 1)[0][0];
      return {
        name: 'tsb',
        label: `TSB(α=${a}, β=${b})`,
        params: { alphaSize: a, alphaProbability: b },
        n,
        forecast: (h) => new Float64Array(h).fill(final),
        forecastAt: replay,
      };
    },
  };
}

/** SES over x starting at x[0] (statsforecast's `_ses_forecast`); returns the final level and the one-step SSE. */
function sesLevel(x: ArrayLike<number>, alpha: number): { level: number; sse: number } {
  let level = x[0];
  let sse = 0;
  for (let i = 1; i < x.length; i++) {
    sse += (x[i] - level) * (x[i] - level);
    level += alpha * (x[i] - level);
  }
  return { level, sse };
}

function bucketSums(y: ArrayLike<number>, end: number, k: number): Float64Array {
  const count = Math.floor(end / k);
  const out = new Float64Array(count);
  const start = end - count * k;
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let t = start + i * k; t < start + (i + 1) * k; t++) s += y[t];
    out[i] = s;
  }
  return out;
}

/**
 * ADIDA (Nikolopoulos et al. 2011): aggregate into non-overlapping buckets of the mean inter-demand interval
 * (ending at the forecast origin), forecast the bucket sums with SES (α optimised on [0.1, 0.3] like statsforecast),
 * and spread the bucket forecast evenly over its periods.
 */
export const adidaModel: ForecastModel = {
  name: 'adida' satisfies ModelName,
  supports: (y) => y.length >= 2,
  fit(y): FittedModel {
    const n = y.length;
    let demands = 0;
    let last = -1;
    for (let t = 0; t < n; t++)
      if (y[t] > 0) {
        demands++;
        last = t;
      }
    // Mean of statsforecast's intervals: (first + 1) followed by the gaps, i.e. (last + 1) / number of demands.
    const k = demands > 0 ? Math.max(1, Math.round((last + 1) / demands)) : 1;
    const sums = bucketSums(y, n, k);
    let alpha = 0.1;
    if (sums.length > 2) alpha = goldenSection((a) => sesLevel(sums, a).sse, 0.1, 0.3, 1e-4).x;
    const at = (series: ArrayLike<number>, o: number, h: number): Float64Array => {
      const s = bucketSums(series, o, k);
      return new Float64Array(h).fill(s.length > 0 ? sesLevel(s, alpha).level / k : 0);
    };
    return {
      name: 'adida',
      label: `ADIDA(k=${k})`,
      params: { aggregation: k, alpha },
      n,
      forecast: (h) => at(y, n, h),
      forecastAt: (series, origins, h) => origins.map((o) => at(series, o, h)),
    };
  },
};

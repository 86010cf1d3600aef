import { CumulativeQuantiles } from './demand.distribution';

/**
 * Empirical distribution of cumulative demand: quantiles of every h-day total (h = 1 … horizon) over the last
 * `windowDays` days of daily history (overlapping windows), optionally rescaled so its mean per day is `meanPerDay`
 * (the forecast's level with the history's shape). For lumpy, wholesale-driven items the forecast's count models
 * (Poisson / negative binomial) miss the large single orders; the history's own h-day totals keep them. Quantiles
 * interpolate linearly between order statistics (Hyndman & Fan type 7). Returns undefined without enough history.
 */
export function empiricalCumulativeQuantiles(
  daily: readonly number[],
  options: { horizon: number; levels: readonly number[]; windowDays?: number; meanPerDay?: number },
): CumulativeQuantiles | undefined {
  const { horizon, levels } = options;
  const n = daily.length;
  const from = Math.max(0, n - (options.windowDays ?? n));
  const window = daily.slice(from).map((v) => Math.max(0, v));
  if (window.length < horizon + 1 || !(horizon >= 1)) return undefined;
  const histMean = window.reduce((s, v) => s + v, 0) / window.length;
  const scale = options.meanPerDay !== undefined && histMean > 0 ? options.meanPerDay / histMean : 1;
  const values: number[][] = [];
  for (let h = 1; h <= horizon; h++) {
    const sums: number[] = [];
    let run = 0;
    for (let t = 0; t < window.length; t++) {
      run += window[t];
      if (t >= h) run -= window[t - h];
      if (t >= h - 1) sums.push(run * scale);
    }
    sums.sort((a, b) => a - b);
    values.push(
      levels.map((p) => {
        const x = p * (sums.length - 1);
        const i = Math.floor(x);
        return i + 1 < sums.length ? sums[i] + (x - i) * (sums[i + 1] - sums[i]) : sums[sums.length - 1];
      }),
    );
  }
  return { levels: [...levels], values, stepDays: 1 };
}

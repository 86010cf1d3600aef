/** Small numeric helpers over plain arrays; NaN entries are treated as missing where noted. */

export type NumericArray = ArrayLike<number>;

export function sum(x: NumericArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

export function mean(x: NumericArray): number {
  return x.length === 0 ? Number.NaN : sum(x) / x.length;
}

/** Sample variance (n − 1 denominator); 0 for fewer than two values. */
export function variance(x: NumericArray): number {
  const n = x.length;
  if (n < 2) return 0;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return s / (n - 1);
}

/** Mean of the finite entries (NaN when there are none). */
export function nanMean(x: NumericArray): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) {
      s += x[i];
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

/** Quantile of already sorted values with linear interpolation (R type 7, numpy's default). */
export function sortedQuantile(sorted: NumericArray, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0];
  const h = (n - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function quantile(x: NumericArray, p: number): number {
  return sortedQuantile(
    Float64Array.from(x).sort((a, b) => a - b),
    p,
  );
}

export function median(x: NumericArray): number {
  return quantile(x, 0.5);
}

/** Ordinary least squares of y on t = 0..n−1: returns intercept and slope. */
export function linearTrend(y: NumericArray): { intercept: number; slope: number } {
  const n = y.length;
  if (n === 0) return { intercept: 0, slope: 0 };
  if (n === 1) return { intercept: y[0], slope: 0 };
  const tMean = (n - 1) / 2;
  const yMean = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t - tMean) * (y[t] - yMean);
    sxx += (t - tMean) * (t - tMean);
  }
  const slope = sxy / sxx;
  return { intercept: yMean - slope * tMean, slope };
}

/** True when every value is a whole number (counts): quantiles are then reported as integers. */
export function isIntegerValued(x: NumericArray): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isInteger(x[i])) return false;
  return true;
}

/** Deterministic pseudo-random generator (mulberry32) so that bootstraps and simulations are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

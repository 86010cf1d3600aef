/**
 * Probability helpers shared by the forecasting and inventory libraries.
 * Everything is double precision and dependency-free.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/**
 * Standard normal CDF Φ(x), double precision.
 * Hart (1968) rational approximation as given by G. West, "Better approximations to cumulative normal functions" (2005).
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x);
  let c: number;
  if (z > 37) {
    c = 0;
  } else {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      c = (e * n) / d;
    } else {
      let d = z + 0.65;
      d = z + 4 / d;
      d = z + 3 / d;
      d = z + 2 / d;
      d = z + 1 / d;
      c = e / d / 2.506628274631;
    }
  }
  return x <= 0 ? c : 1 - c;
}

const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549671010229528, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Inverse standard normal CDF (Acklam's algorithm plus one Halley refinement step: ~1e-15 relative error). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  }
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * SQRT_2PI * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * Standard normal loss function G(k) = E[(Z − k)⁺] = φ(k) − k·(1 − Φ(k)).
 * Used for fill-rate safety stock: expected units short per cycle = σ·G(k) (Silver, Pyke & Peterson, ch. 6).
 */
export function normalLoss(k: number): number {
  return normalPdf(k) - k * (1 - normalCdf(k));
}

/** Solves G(k) = target for k (G is strictly decreasing). Bisection then Newton: robust and exact to 1e-12. */
export function inverseNormalLoss(target: number): number {
  if (!(target > 0)) return Number.POSITIVE_INFINITY;
  let lo = -10;
  let hi = 10;
  if (target >= normalLoss(lo)) return lo;
  if (target <= normalLoss(hi)) return hi;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (normalLoss(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Natural log of the gamma function (Lanczos, g = 7, n = 9), accurate to ~1e-15 for x > 0. */
export function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const xx = x - 1;
  let a = c[0];
  const t = xx + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * A count distribution for demand: Poisson when the variance does not exceed the mean, otherwise a negative
 * binomial with the same mean and variance (size r = μ² / (σ² − μ)). Intermittent demand is over-dispersed, so
 * the negative binomial is the usual choice (Syntetos & Boylan; Kolassa 2016).
 */
export class CountDistribution {
  readonly kind: 'poisson' | 'negative_binomial' | 'degenerate';
  private readonly size: number;
  private readonly logP0: number;
  private readonly ratio: number;

  constructor(
    readonly mean: number,
    readonly variance: number,
  ) {
    if (!(mean > 0)) {
      this.kind = 'degenerate';
      this.size = Number.POSITIVE_INFINITY;
      this.logP0 = 0;
      this.ratio = 0;
      return;
    }
    if (variance <= mean * (1 + 1e-9)) {
      this.kind = 'poisson';
      this.size = Number.POSITIVE_INFINITY;
      this.logP0 = -mean;
      this.ratio = mean;
    } else {
      this.kind = 'negative_binomial';
      this.size = (mean * mean) / (variance - mean);
      const q = mean / (this.size + mean);
      this.logP0 = this.size * Math.log(this.size / (this.size + mean));
      this.ratio = q;
    }
  }

  /** Smallest integer k with P(X ≤ k) ≥ p. */
  quantile(p: number): number {
    if (this.kind === 'degenerate') return 0;
    if (p <= 0) return 0;
    // Very large means underflow P(0); the normal approximation with continuity correction is exact enough there.
    if (this.logP0 < -700) {
      const z = normalQuantile(Math.min(p, 1 - 1e-12));
      return Math.max(0, Math.ceil(this.mean + z * Math.sqrt(Math.max(this.variance, this.mean)) - 0.5));
    }
    let pk = Math.exp(this.logP0);
    let cdf = pk;
    let k = 0;
    const limit = this.mean + 50 * Math.sqrt(Math.max(this.variance, this.mean)) + 100;
    while (cdf < p - 1e-12 && k < limit) {
      pk *= this.kind === 'poisson' ? this.ratio / (k + 1) : (this.ratio * (k + this.size)) / (k + 1);
      cdf += pk;
      k++;
    }
    return k;
  }

  /** P(X ≤ x). */
  cdf(x: number): number {
    if (this.kind === 'degenerate') return x >= 0 ? 1 : 0;
    if (x < 0) return 0;
    if (this.logP0 < -700) {
      return normalCdf((Math.floor(x) + 0.5 - this.mean) / Math.sqrt(Math.max(this.variance, this.mean)));
    }
    let pk = Math.exp(this.logP0);
    let cdf = pk;
    const kMax = Math.floor(x);
    for (let k = 0; k < kMax; k++) {
      pk *= this.kind === 'poisson' ? this.ratio / (k + 1) : (this.ratio * (k + this.size)) / (k + 1);
      cdf += pk;
      if (cdf >= 1 - 1e-15) return 1;
    }
    return Math.min(1, cdf);
  }
}

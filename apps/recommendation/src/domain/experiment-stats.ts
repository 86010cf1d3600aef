/*
 * Statistics of A/B results: intervals for rates and means, lift over the control, two-sided tests.
 * Pure functions of counts, so the numbers in a report can be checked by hand.
 */

export interface Estimate {
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
}

export interface Comparison {
  /** Relative lift over the control (0.05 = +5%); undefined when the control's value is 0. */
  readonly lift?: Estimate;
  /** Two-sided p-value of the difference. */
  readonly pValue: number;
  readonly significant: boolean;
}

/** A mean from its sufficient statistics: count, sum, and sum of squares. */
export interface Moments {
  readonly n: number;
  readonly sum: number;
  readonly sumSq: number;
}

/**
 * Standard normal CDF, Φ(x), to about 1e-14: Hart's (1968) rational approximation as given by
 * G. West, "Better approximations to cumulative normal functions" (2005), with its continued
 * fraction for the tails — accurate far out, where p-values live.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let tail: number;
  if (a > 37) {
    tail = 0;
  } else {
    const e = Math.exp((-a * a) / 2);
    if (a < 7.07106781186547) {
      let n = 3.52624965998911e-2 * a + 0.700383064443688;
      n = n * a + 6.37396220353165;
      n = n * a + 33.912866078383;
      n = n * a + 112.079291497871;
      n = n * a + 221.213596169931;
      n = n * a + 220.206867912376;
      let d = 8.83883476483184e-2 * a + 1.75566716318264;
      d = d * a + 16.064177579207;
      d = d * a + 86.7807322029461;
      d = d * a + 296.564248779674;
      d = d * a + 637.333633378831;
      d = d * a + 793.826512519948;
      d = d * a + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let b = a + 0.65;
      b = a + 4 / b;
      b = a + 3 / b;
      b = a + 2 / b;
      b = a + 1 / b;
      tail = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const ACKLAM_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * Inverse standard normal CDF, Φ⁻¹(p): P. J. Acklam's rational approximation (relative error
 * 1.15e-9), polished by one Halley step on normalCdf to near machine precision.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const [a, b, c, d] = [ACKLAM_A, ACKLAM_B, ACKLAM_C, ACKLAM_D];
  const low = 0.02425;
  let x: number;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 1 - low) x = -x;
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** The two-sided critical value for a confidence level, e.g. 1.959964 for 0.95. */
export function criticalZ(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

/** Two-sided p-value of a z statistic. */
export function twoSidedP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/**
 * Wilson score interval of a proportion (Wilson 1927): well-behaved for small counts and rates near
 * 0, unlike the Wald interval. Successes are capped at trials (two clicks on one impression count as
 * a click-through). No trials: value 0, interval [0, 1].
 */
export function proportionEstimate(successes: number, trials: number, confidence: number): Estimate {
  if (trials <= 0) return { value: 0, lower: 0, upper: 1 };
  const x = Math.min(Math.max(successes, 0), trials);
  const p = x / trials;
  const z = criticalZ(confidence);
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return { value: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Sample mean and the variance of that mean (s²/n, s² with n − 1). */
export function meanAndVariance(m: Moments): { mean: number; varianceOfMean: number } {
  if (m.n <= 0) return { mean: 0, varianceOfMean: 0 };
  const mean = m.sum / m.n;
  if (m.n < 2) return { mean, varianceOfMean: 0 };
  // Clamp the rounding error of sumSq − sum²/n, which can dip just below zero.
  const s2 = Math.max(0, (m.sumSq - (m.sum * m.sum) / m.n) / (m.n - 1));
  return { mean, varianceOfMean: s2 / m.n };
}

/**
 * Mean with a normal-approximation interval (CLT; fine for the thousands of impressions an A/B test
 * needs). `floor` clips the lower bound, e.g. 0 for revenue.
 */
export function meanEstimate(m: Moments, confidence: number, floor = -Infinity): Estimate {
  const { mean, varianceOfMean } = meanAndVariance(m);
  const half = criticalZ(confidence) * Math.sqrt(varianceOfMean);
  return { value: mean, lower: Math.max(floor, mean - half), upper: mean + half };
}

/**
 * Relative lift t/c − 1 with a delta-method interval: Var(t/c) ≈ (t/c)² (Var t / t² + Var c / c²),
 * i.e. Var(t)/c² + t² Var(c)/c⁴, which also holds when t = 0.
 */
export function relativeLift(
  treatment: { mean: number; varianceOfMean: number },
  control: { mean: number; varianceOfMean: number },
  confidence: number,
): Estimate | undefined {
  const c = control.mean;
  if (c === 0) return undefined;
  const t = treatment.mean;
  const value = t / c - 1;
  const se = Math.sqrt(treatment.varianceOfMean / (c * c) + (t * t * control.varianceOfMean) / (c * c * c * c));
  const half = criticalZ(confidence) * se;
  return { value, lower: value - half, upper: value + half };
}

/**
 * Two-proportion z-test with the pooled proportion under H0 (the textbook test, e.g. Agresti,
 * "Categorical Data Analysis" §3.1). No variance (both 0% or both 100%): p = 1.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): { z: number; pValue: number } {
  if (n1 <= 0 || n2 <= 0) return { z: 0, pValue: 1 };
  const a = Math.min(x1, n1);
  const b = Math.min(x2, n2);
  const pooled = (a + b) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (b / n2 - a / n1) / se;
  return { z, pValue: twoSidedP(z) };
}

/**
 * Welch's unequal-variance test of two means with the normal reference distribution (at A/B sample
 * sizes the t distribution's degrees of freedom are in the thousands, where t and z agree).
 */
export function welchZTest(control: Moments, treatment: Moments): { z: number; pValue: number } {
  if (control.n < 2 || treatment.n < 2) return { z: 0, pValue: 1 };
  const c = meanAndVariance(control);
  const t = meanAndVariance(treatment);
  const se = Math.sqrt(c.varianceOfMean + t.varianceOfMean);
  if (se === 0) return { z: 0, pValue: t.mean === c.mean ? 1 : 0 };
  const z = (t.mean - c.mean) / se;
  return { z, pValue: twoSidedP(z) };
}

function proportionMoments(successes: number, trials: number): { mean: number; varianceOfMean: number } {
  if (trials <= 0) return { mean: 0, varianceOfMean: 0 };
  const p = Math.min(Math.max(successes, 0), trials) / trials;
  return { mean: p, varianceOfMean: (p * (1 - p)) / trials };
}

/** Compares a variant's rate with the control's: lift (delta method) and the two-proportion test. */
export function compareProportions(
  control: { successes: number; trials: number },
  treatment: { successes: number; trials: number },
  confidence: number,
): Comparison {
  const { pValue } = twoProportionZTest(control.successes, control.trials, treatment.successes, treatment.trials);
  return {
    lift: relativeLift(
      proportionMoments(treatment.successes, treatment.trials),
      proportionMoments(control.successes, control.trials),
      confidence,
    ),
    pValue,
    significant: pValue < 1 - confidence,
  };
}

/** Compares a variant's mean (e.g. revenue per impression) with the control's. */
export function compareMeans(control: Moments, treatment: Moments, confidence: number): Comparison {
  const { pValue } = welchZTest(control, treatment);
  return {
    lift: relativeLift(meanAndVariance(treatment), meanAndVariance(control), confidence),
    pValue,
    significant: pValue < 1 - confidence,
  };
}

// ------------------------------------------------------------------ per-variant results

/** What is counted for one variant. */
export interface VariantCounts {
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  /** Attributed revenue in minor units, and the sum of its squares per purchase. */
  readonly revenueMinor: number;
  readonly revenueSq: number;
}

export type MetricName = 'ctr' | 'conversion_rate' | 'revenue_per_impression';

export interface MetricComparison extends Comparison {
  readonly metric: MetricName;
}

export interface VariantStats {
  readonly ctr: Estimate;
  readonly conversionRate: Estimate;
  readonly revenuePerImpression: Estimate;
  /** Against the control; empty for the control itself. */
  readonly comparisons: readonly MetricComparison[];
}

/**
 * Rates and comparisons of every variant against the first (the control). Revenue per impression
 * treats each impression as a draw whose revenue is that of the purchase attributed to it (0 for
 * most), so its moments are (impressions, Σ revenue, Σ revenue²).
 */
export function variantStats(counts: readonly VariantCounts[], confidence: number): VariantStats[] {
  const moments = (c: VariantCounts): Moments => ({ n: c.impressions, sum: c.revenueMinor, sumSq: c.revenueSq });
  const control = counts[0];
  return counts.map((c, i) => ({
    ctr: proportionEstimate(c.clicks, c.impressions, confidence),
    conversionRate: proportionEstimate(c.conversions, c.impressions, confidence),
    revenuePerImpression: meanEstimate(moments(c), confidence, 0),
    comparisons:
      i === 0 || !control
        ? []
        : [
            {
              metric: 'ctr',
              ...compareProportions(
                { successes: control.clicks, trials: control.impressions },
                { successes: c.clicks, trials: c.impressions },
                confidence,
              ),
            },
            {
              metric: 'conversion_rate',
              ...compareProportions(
                { successes: control.conversions, trials: control.impressions },
                { successes: c.conversions, trials: c.impressions },
                confidence,
              ),
            },
            { metric: 'revenue_per_impression', ...compareMeans(moments(control), moments(c), confidence) },
          ],
  }));
}

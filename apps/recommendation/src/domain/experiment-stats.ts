import { normalCdf, normalQuantile as quantile } from '@app/forecasting';

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

// The standard normal CDF and its inverse are the forecasting library's (Hart/West; Acklam + Halley).
export { normalCdf };

/** Φ⁻¹(p); NaN (rather than the library's RangeError) for p outside [0, 1]. */
export function normalQuantile(p: number): number {
  return p >= 0 && p <= 1 ? quantile(p) : NaN;
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

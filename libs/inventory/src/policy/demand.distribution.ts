import { normalCdf, normalLoss, normalQuantile } from '@app/forecasting';

/**
 * Distribution of demand over a protection period (lead time, or review period + lead time). The policy only
 * needs these four operations, so the normal approximation and the forecast's own quantiles are interchangeable.
 */
export interface DemandDistribution {
  readonly mean: number;
  readonly sd: number;
  /** P(D > x). */
  exceedance(x: number): number;
  /** E[(D − x)⁺]: expected units short when x units are available. */
  expectedShortage(x: number): number;
  /** Smallest x with P(D ≤ x) ≥ p. */
  quantile(p: number): number;
}

/** Normal demand, the textbook model (Silver, Pyke & Peterson ch. 6). */
export function normalDemand(mean: number, sd: number): DemandDistribution {
  return {
    mean,
    sd,
    exceedance: (x) => (sd > 0 ? 1 - normalCdf((x - mean) / sd) : x < mean ? 1 : 0),
    expectedShortage: (x) => (sd > 0 ? sd * normalLoss((x - mean) / sd) : Math.max(0, mean - x)),
    quantile: (p) => (sd > 0 ? mean + sd * normalQuantile(p) : mean),
  };
}

/**
 * Piecewise-linear quantile function through (level, value) points. The tails extend the first and last segments'
 * slopes to levels 0 and 1 (the lower end floored at 0: demand is non-negative). Exact expected shortage:
 * E[(D − x)⁺] = ∫₀¹ (Q(p) − x)⁺ dp.
 */
class QuantileCurve {
  readonly p: number[];
  readonly v: number[];

  constructor(levels: readonly number[], values: readonly number[]) {
    const p: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < levels.length; i++) {
      if (!(levels[i] > (p.length > 0 ? p[p.length - 1] : 0) && levels[i] < 1)) continue;
      p.push(levels[i]);
      v.push(Math.max(v.length > 0 ? v[v.length - 1] : 0, values[i]));
    }
    if (p.length === 0) {
      this.p = [0, 1];
      this.v = [0, 0];
      return;
    }
    const k = p.length - 1;
    const low = k >= 1 ? (v[1] - v[0]) / (p[1] - p[0]) : v[0] / p[0];
    const high = k >= 1 ? (v[k] - v[k - 1]) / (p[k] - p[k - 1]) : 0;
    this.p = [0, ...p, 1];
    this.v = [Math.max(0, v[0] - low * p[0]), ...v, v[k] + high * (1 - p[k])];
  }

  cdf(x: number): number {
    const { p, v } = this;
    if (x < 0) return 0;
    if (x >= v[v.length - 1]) return 1;
    for (let i = 1; i < p.length; i++) {
      if (x < v[i])
        return v[i] > v[i - 1] ? p[i - 1] + ((x - v[i - 1]) / (v[i] - v[i - 1])) * (p[i] - p[i - 1]) : p[i - 1];
    }
    return 1;
  }

  expectedShortage(x: number): number {
    const { p, v } = this;
    let total = 0;
    for (let i = 1; i < p.length; i++) {
      const a = v[i - 1] - x;
      const b = v[i] - x;
      const w = p[i] - p[i - 1];
      if (a >= 0) total += (w * (a + b)) / 2;
      else if (b > 0) total += (w * (b / (b - a)) * b) / 2; // only the part above x
    }
    return total;
  }

  mean(): number {
    return this.expectedShortage(0);
  }
}

/** Mixture of weighted quantile curves: demand over a random lead time. */
class MixtureDistribution implements DemandDistribution {
  readonly mean: number;
  readonly sd: number;
  private readonly max: number;

  constructor(private readonly parts: { weight: number; curve: QuantileCurve }[]) {
    this.mean = parts.reduce((s, c) => s + c.weight * c.curve.mean(), 0);
    this.max = Math.max(0, ...parts.map((c) => c.curve.v[c.curve.v.length - 1]));
    // Variance from E[D²] = ∫ Q(p)² dp, by the midpoint rule on each segment (accurate enough for reporting).
    let second = 0;
    for (const { weight, curve } of parts) {
      for (let i = 1; i < curve.p.length; i++) {
        const w = curve.p[i] - curve.p[i - 1];
        const a = curve.v[i - 1];
        const b = curve.v[i];
        second += weight * w * ((a * a + a * b + b * b) / 3);
      }
    }
    this.sd = Math.sqrt(Math.max(0, second - this.mean * this.mean));
  }

  exceedance(x: number): number {
    return 1 - this.parts.reduce((s, c) => s + c.weight * c.curve.cdf(x), 0);
  }

  expectedShortage(x: number): number {
    return this.parts.reduce((s, c) => s + c.weight * c.curve.expectedShortage(x), 0);
  }

  quantile(p: number): number {
    let lo = 0;
    let hi = this.max;
    if (1 - this.exceedance(0) >= p) return 0;
    for (let i = 0; i < 100 && hi - lo > 1e-9 * (1 + hi); i++) {
      const mid = (lo + hi) / 2;
      if (1 - this.exceedance(mid) >= p) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}

/**
 * Quantiles of cumulative demand as produced by the forecasting library: `values[h − 1][i]` is quantile `levels[i]`
 * of the total demand over the next h steps, each step covering `stepDays` days (1 for a daily forecast).
 */
export interface CumulativeQuantiles {
  levels: readonly number[];
  values: readonly (readonly number[])[];
  stepDays?: number;
}

function quantilesAtDays(table: CumulativeQuantiles, days: number, multiplier: number): number[] {
  const steps = days / (table.stepDays ?? 1);
  const h = table.values.length;
  let row: number[];
  if (steps <= 0) row = table.levels.map(() => 0);
  else if (steps > h)
    row = table.values[h - 1].map((v) => (v * steps) / h); // beyond the horizon: scale the last step
  else {
    const lo = Math.floor(steps);
    const frac = steps - lo;
    const below = lo === 0 ? table.levels.map(() => 0) : table.values[lo - 1];
    const above = frac > 0 ? table.values[lo] : below;
    row = below.map((v, i) => v + frac * (above[i] - v));
  }
  return row.map((v) => v * multiplier);
}

/**
 * Demand over `extraDays` + a random lead time, straight from the forecast's cumulative quantiles: the lead time is
 * discretised into whole days from a normal N(L, σ_L²) truncated at 0 (±4σ), and the distribution is the mixture
 * of the forecast's cumulative-demand distributions at each lead time. This keeps the forecast's shape (skew,
 * counts, autocorrelation) instead of forcing a normal. `multiplier` scales demand (promotion lift).
 */
export function quantileDemand(
  table: CumulativeQuantiles,
  leadTimeDays: number,
  leadTimeSdDays: number,
  extraDays: number,
  multiplier = 1,
): DemandDistribution {
  const parts: { weight: number; curve: QuantileCurve }[] = [];
  if (!(leadTimeSdDays > 0)) {
    parts.push({
      weight: 1,
      curve: new QuantileCurve(table.levels, quantilesAtDays(table, leadTimeDays + extraDays, multiplier)),
    });
  } else {
    const lo = Math.max(0, Math.floor(leadTimeDays - 4 * leadTimeSdDays));
    const hi = Math.ceil(leadTimeDays + 4 * leadTimeSdDays);
    let total = 0;
    for (let l = lo; l <= hi; l++) {
      const w =
        normalCdf((l + 0.5 - leadTimeDays) / leadTimeSdDays) - normalCdf((l - 0.5 - leadTimeDays) / leadTimeSdDays);
      if (w < 1e-6) continue;
      total += w;
      parts.push({
        weight: w,
        curve: new QuantileCurve(table.levels, quantilesAtDays(table, l + extraDays, multiplier)),
      });
    }
    for (const part of parts) part.weight /= total;
  }
  return new MixtureDistribution(parts);
}

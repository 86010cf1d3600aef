import { seededRandom } from '@app/forecasting';
import { CumulativeQuantiles } from './demand.distribution';

export interface CompoundDemandOptions {
  /** The item's past order sizes (units per order line, > 0): each simulated order draws one of them. */
  orderSizes: readonly number[];
  /** Expected orders per day; see `ordersPerDayFor` to keep a forecast's level of units. */
  ordersPerDay: number;
  /** Days of cumulative demand to tabulate (1 … horizon). */
  horizon: number;
  levels: readonly number[];
  /**
   * Variance-to-mean ratio of the number of orders per day (≥ 1): 1 is Poisson; above 1 orders cluster on busy days
   * (negative binomial, drawn as a gamma-mixed Poisson day by day).
   */
  countDispersion?: number;
  /**
   * Orders larger than the item has seen: with probability `share` an order's size is drawn from `sizes` instead
   * (e.g. other items' order sizes relative to their median, scaled to this item's median). Order sizes are
   * heavy-tailed across a catalogue; an item's own history under-represents the wholesale order it has not had yet.
   */
  largeOrders?: { sizes: readonly number[]; share: number };
  /** Simulated paths (default 4000): the 99.9% quantile rests on the few largest. */
  paths?: number;
  seed?: number;
}

/**
 * Orders per day that make the compound mean equal a forecast's units per day: units ÷ mean order size (of the
 * mixture, with `largeOrders`).
 */
export function ordersPerDayFor(
  unitsPerDay: number,
  orderSizes: readonly number[],
  largeOrders?: { sizes: readonly number[]; share: number },
): number {
  const mean = (xs: readonly number[]) => {
    const pos = xs.filter((s) => s > 0);
    return pos.length > 0 ? pos.reduce((a, b) => a + b, 0) / pos.length : Number.NaN;
  };
  const own = mean(orderSizes);
  if (!Number.isFinite(own) || !(unitsPerDay > 0)) return 0;
  const large = largeOrders ? mean(largeOrders.sizes) : Number.NaN;
  const share = Number.isFinite(large) ? Math.min(1, Math.max(0, largeOrders!.share)) : 0;
  return unitsPerDay / ((1 - share) * own + share * (share > 0 ? large : 0));
}

/** Poisson draw: inversion for small means, normal approximation (rounded, ≥ 0) beyond 30. */
function poisson(mean: number, u: () => number): number {
  if (!(mean > 0)) return 0;
  if (mean > 30) {
    // Box–Muller; the approximation is close enough at this size for a count of orders.
    const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = u();
  while (p > limit) {
    k++;
    p *= u();
  }
  return k;
}

/** Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape < 1 boosted by U^(1/shape)). */
function gamma(shape: number, u: () => number): number {
  if (shape < 1) return gamma(shape + 1, u) * Math.pow(u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x * x * x * x || Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Quantiles of cumulative demand when demand comes as orders: a random number of orders per day (Poisson, or
 * negative binomial), each of a size drawn from the item's own past orders (compound Poisson with an empirical
 * size distribution, Feller 1968; Adelson 1966 for lead-time demand). Wholesale-driven items sell in a few large
 * order lines among many small ones: a day's total is then far more skewed than a negative binomial of daily units
 * allows, and its tail is set by the largest orders the item has seen, which this keeps. Monte Carlo over `paths`
 * days-by-day paths, seeded (the same input gives the same table); quantiles are type 1 (every value is a total
 * some path reached). Undefined without any past order or expected order.
 */
export function compoundCumulativeQuantiles(options: CompoundDemandOptions): CumulativeQuantiles | undefined {
  const sizes = options.orderSizes.filter((s) => s > 0);
  const { horizon, levels } = options;
  const lambda = options.ordersPerDay;
  if (sizes.length === 0 || !(lambda > 0) || !(horizon >= 1)) return undefined;
  const paths = Math.max(100, Math.floor(options.paths ?? 4000));
  const phi = Math.max(1, options.countDispersion ?? 1);
  // Negative binomial as Poisson(λ·G), G ~ Gamma(r, 1/r): variance λ + λ²/r = φ·λ.
  const shape = phi > 1 + 1e-9 ? lambda / (phi - 1) : 0;
  const large = (options.largeOrders?.sizes ?? []).filter((v) => v > 0);
  const largeShare = large.length > 0 ? Math.min(1, Math.max(0, options.largeOrders!.share)) : 0;
  let seed = (options.seed ?? 0x9e3779b9) ^ sizes.length;
  for (const v of sizes) seed = Math.imul(seed ^ Math.round(v), 0x01000193) >>> 0;
  const u = seededRandom(seed);
  const totals = Array.from({ length: horizon }, () => new Float64Array(paths));
  for (let k = 0; k < paths; k++) {
    let run = 0;
    for (let d = 0; d < horizon; d++) {
      const rate = shape > 0 ? (lambda * gamma(shape, u)) / shape : lambda;
      const n = poisson(rate, u);
      for (let i = 0; i < n; i++) {
        run +=
          largeShare > 0 && u() < largeShare
            ? large[Math.floor(u() * large.length)]
            : sizes[Math.floor(u() * sizes.length)];
      }
      totals[d][k] = run;
    }
  }
  const values = totals.map((row) => {
    row.sort();
    return levels.map((p) => row[Math.min(paths - 1, Math.max(0, Math.ceil(p * paths) - 1))]);
  });
  return { levels: [...levels], values, stepDays: 1 };
}

/**
 * A forecast's cumulative quantiles with a heavier upper tail where another table (e.g. the compound one) has it:
 * levels from `fromLevel` up take the larger of the two, levels below keep the forecast. The forecast keeps the
 * body (its level, trend and error spread); the order-size model adds the large orders the item has seen. Both
 * tables must share levels and have at least as many steps as the forecast.
 */
export function withHeavierTail(
  forecast: CumulativeQuantiles,
  tail: CumulativeQuantiles,
  fromLevel = 0.9,
): CumulativeQuantiles {
  if (
    tail.levels.length !== forecast.levels.length ||
    tail.levels.some((p, i) => p !== forecast.levels[i]) ||
    tail.values.length < forecast.values.length ||
    (tail.stepDays ?? 1) !== (forecast.stepDays ?? 1)
  )
    throw new RangeError('withHeavierTail: the tables must share their levels, step length and steps');
  const values = forecast.values.map((row, h) =>
    row.map((v, i) => (forecast.levels[i] >= fromLevel ? Math.max(v, tail.values[h][i]) : v)),
  );
  return { ...forecast, levels: [...forecast.levels], values };
}

import { parentPort, workerData } from 'node:worker_threads';
import { forecastDemand, POLICY_QUANTILE_LEVELS } from '@app/forecasting';
import {
  compoundCumulativeQuantiles,
  demandFromForecast,
  DemandInput,
  empiricalCumulativeQuantiles,
  ordersPerDayFor,
  ServiceTarget,
  suggestReplenishment,
  withHeavierTail,
} from '@app/inventory';

export interface ReplaySettings {
  /** Index of the first replayed day. */
  start: number;
  days: number;
  leadTimeDays: number;
  reviewPeriodDays: number;
  forecastEveryDays: number;
}

export interface ForecastJob extends ReplaySettings {
  mode: 'forecast';
  skus: { code: string; daily: number[]; orderDays: number[]; orderSizes: number[] }[];
  censored: boolean[];
  intermittentQuantiles: 'bootstrap' | 'count' | 'empirical';
  compound: CompoundSettings;
  /**
   * Days whose largest order line is at least this many times the SKU's median line (over the compound window) are
   * fitted as censored (imputed) by the forecaster: the level then follows the usual orders, and the large ones are
   * left to the compound tail. 0 = off.
   */
  largeLineCensor: number;
}

/** How the compound (orders × order sizes) lead-time demand is built from the history before each refresh. */
export interface CompoundSettings {
  /** Order sizes of the last `windowDays` days (all earlier ones too when there are fewer than `minOrders`). */
  windowDays: number;
  minOrders: number;
  paths: number;
  /** Orders per day as a negative binomial with the window's variance-to-mean ratio of daily order counts. */
  clustered: boolean;
  /**
   * Share of orders drawn from the catalogue's order sizes relative to each SKU's median (`pooledRatios`), scaled to
   * this SKU's median: the large orders it has not had yet. 0 = own sizes only.
   */
  largeShare: number;
  /** Order size ÷ the SKU's median order size, over every SKU's order lines before the window (a sample). */
  pooledRatios: number[];
}

/** Demand sources a variant can plan from. */
export type DemandSource = 'forecast' | 'empirical' | 'compound' | 'hybrid';

/** Demand inputs per SKU for each forecast refresh (every `forecastEveryDays` from `start`). */
export interface SkuForecasts {
  code: string;
  weeks: DemandInput[];
  /** The same forecasts with the cumulative quantiles replaced by the history's own h-day totals (see below). */
  empirical: DemandInput[];
  /** The same forecasts (level) with compound orders × order sizes quantiles (see `compoundCumulativeQuantiles`). */
  compound: DemandInput[];
  /** The forecast's quantiles, with the compound ones where those are larger from the 90% level up (the tail). */
  hybrid: DemandInput[];
  models: Record<string, number>;
}

/** Days of history behind the empirical lead-time-demand distribution (26 weeks). */
export const EMPIRICAL_WINDOW_DAYS = 182;

export interface SimulateJob extends ReplaySettings {
  mode: 'simulate';
  skus: {
    code: string;
    price: number;
    daily: number[];
    weeks: DemandInput[];
    empirical: DemandInput[];
    compound: DemandInput[];
    hybrid: DemandInput[];
    allocated: number[][];
  }[];
  /** Demand source of each allocated variant. */
  allocatedSource: DemandSource[];
  /** Per allocated variant: order-up-to level capped at this many days of forecast demand (none when absent). */
  allocatedCoverCapDays?: (number | null)[];
  serviceKind: 'fill_rate' | 'cycle_service';
  /** Uniform targets (same for every SKU). */
  uniformLevels: number[];
  /** Naive variants: order up to this many days of the last `naiveWindowDays` days' average. */
  naiveCoverDays: number[];
  naiveWindowDays: number;
}

export interface PolicyOutcome {
  demand: number;
  served: number;
  stockoutDays: number;
  /** Σ over days of end-of-day stock value (price × units) and units. */
  valueDays: number;
  unitDays: number;
  orders: number;
  unitsOrdered: number;
}

export interface SkuOutcome {
  code: string;
  uniform: PolicyOutcome[];
  /** One per allocated variant (cycle service levels per SKU and week from the allocation). */
  allocated: PolicyOutcome[];
  naive: PolicyOutcome[];
}

function forecastAll(job: ForecastJob): SkuForecasts[] {
  const keep = job.leadTimeDays + job.reviewPeriodDays + 1;
  return job.skus.map((sku) => {
    const weeks: DemandInput[] = [];
    const empirical: DemandInput[] = [];
    const compound: DemandInput[] = [];
    const hybrid: DemandInput[] = [];
    const models: Record<string, number> = {};
    for (let day = job.start; day < job.start + job.days; day += job.forecastEveryDays) {
      // Only the history before the day: the replay never sees the future.
      const forecast = forecastDemand({
        values: sku.daily.slice(0, day),
        censored: withLargeLineDays(sku, day, job.censored.slice(0, day), job.largeLineCensor, job.compound.windowDays),
        frequency: 'day',
        horizon: keep,
        quantileLevels: POLICY_QUANTILE_LEVELS,
        intermittentQuantiles: job.intermittentQuantiles,
      });
      const demand = demandFromForecast(forecast, { days: job.leadTimeDays + job.reviewPeriodDays });
      if (demand.cumulative)
        demand.cumulative = { ...demand.cumulative, values: demand.cumulative.values.slice(0, keep) };
      weeks.push(demand);
      // Forecast level, history's shape: quantiles of the last 26 weeks' h-day totals rescaled to the forecast mean.
      const table = demand.cumulative
        ? empiricalCumulativeQuantiles(sku.daily.slice(0, day), {
            horizon: keep,
            levels: demand.cumulative.levels,
            windowDays: EMPIRICAL_WINDOW_DAYS,
            meanPerDay: demand.meanPerDay,
          })
        : undefined;
      empirical.push(table ? { ...demand, cumulative: table } : demand);
      const c = compoundDemand(sku, day, demand, keep, job.compound);
      compound.push(c);
      hybrid.push(tailOf(demand, c));
      models[forecast.model] = (models[forecast.model] ?? 0) + 1;
    }
    return { code: sku.code, weeks, empirical, compound, hybrid, models };
  });
}

/**
 * The forecast's level of units per day, as orders of the sizes this SKU's order lines had before `day`: orders per
 * day = units per day ÷ mean order size; optionally clustered (negative binomial counts, the window's own
 * variance-to-mean ratio of orders per day).
 */
function compoundDemand(
  sku: ForecastJob['skus'][number],
  day: number,
  demand: DemandInput,
  horizon: number,
  settings: CompoundSettings,
): DemandInput {
  if (!demand.cumulative || !(demand.meanPerDay > 0)) return demand;
  let end = 0;
  while (end < sku.orderDays.length && sku.orderDays[end] < day) end++;
  let begin = end;
  while (begin > 0 && sku.orderDays[begin - 1] >= day - settings.windowDays) begin--;
  if (end - begin < settings.minOrders) begin = Math.max(0, end - settings.minOrders);
  const sizes = sku.orderSizes.slice(begin, end);
  let countDispersion = 1;
  if (settings.clustered) {
    const counts = new Array<number>(settings.windowDays).fill(0);
    for (let i = begin; i < end; i++) {
      const k = sku.orderDays[i] - (day - settings.windowDays);
      if (k >= 0) counts[k]++;
    }
    const m = counts.reduce((a, b) => a + b, 0) / counts.length;
    const v = counts.reduce((a, b) => a + (b - m) * (b - m), 0) / Math.max(1, counts.length - 1);
    countDispersion = m > 0 ? Math.max(1, v / m) : 1;
  }
  const sorted = [...sizes].sort((a, b) => a - b);
  const median = sorted.length > 0 ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
  const largeOrders =
    settings.largeShare > 0 && median > 0
      ? { sizes: settings.pooledRatios.map((r) => r * median), share: settings.largeShare }
      : undefined;
  const table = compoundCumulativeQuantiles({
    orderSizes: sizes,
    largeOrders,
    ordersPerDay: ordersPerDayFor(demand.meanPerDay, sizes, largeOrders),
    horizon,
    levels: demand.cumulative.levels,
    countDispersion,
    paths: settings.paths,
    seed: day,
  });
  return table ? { ...demand, cumulative: table } : demand;
}

/** `censored` with the days before `day` whose largest order line is ≥ `factor` × the median line of the window. */
function withLargeLineDays(
  sku: ForecastJob['skus'][number],
  day: number,
  censored: boolean[],
  factor: number,
  windowDays: number,
): boolean[] {
  if (!(factor > 0)) return censored;
  const recent = sku.orderSizes.filter((_, i) => sku.orderDays[i] < day && sku.orderDays[i] >= day - windowDays);
  if (recent.length < 5) return censored;
  const median = [...recent].sort((a, b) => a - b)[Math.floor((recent.length - 1) / 2)];
  const out = [...censored];
  sku.orderDays.forEach((d, i) => {
    if (d < day && sku.orderSizes[i] >= factor * median) out[d] = true;
  });
  return out;
}

/** The forecast's quantiles below 90%, the larger of the forecast's and the compound's from 90% up. */
function tailOf(forecast: DemandInput, compound: DemandInput): DemandInput {
  const f = forecast.cumulative;
  const c = compound.cumulative;
  return f && c && c !== f ? { ...forecast, cumulative: withHeavierTail(f, c, 0.9) } : forecast;
}

interface Stock {
  onHand: number;
  /** Units arriving at the start of each future day index. */
  arrivals: Map<number, number>;
  outcome: PolicyOutcome;
}

function newStock(): Stock {
  return {
    onHand: 0,
    arrivals: new Map(),
    outcome: { demand: 0, served: 0, stockoutDays: 0, valueDays: 0, unitDays: 0, orders: 0, unitsOrdered: 0 },
  };
}

function onOrder(s: Stock): number {
  let total = 0;
  for (const q of s.arrivals.values()) total += q;
  return total;
}

/** One day: receive, serve (unmet demand is lost), record end-of-day stock. */
function serveDay(s: Stock, day: number, demand: number, price: number): void {
  const arriving = s.arrivals.get(day);
  if (arriving) {
    s.onHand += arriving;
    s.arrivals.delete(day);
  }
  const served = Math.min(s.onHand, demand);
  s.onHand -= served;
  s.outcome.demand += demand;
  s.outcome.served += served;
  if (served < demand) s.outcome.stockoutDays++;
  s.outcome.valueDays += s.onHand * price;
  s.outcome.unitDays += s.onHand;
}

/** Orders placed at the end of day d arrive at the start of day d + L + 1 (L full days in transit). */
function place(s: Stock, day: number, quantity: number, leadTime: number): void {
  if (quantity <= 0) return;
  const at = day + leadTime + 1;
  s.arrivals.set(at, (s.arrivals.get(at) ?? 0) + quantity);
  s.outcome.orders++;
  s.outcome.unitsOrdered += quantity;
}

/**
 * Walks forward day by day. DSS variants order what `suggestReplenishment` says at every review, from the latest
 * weekly forecast; the naive variants order up to a number of days of the recent average. Every variant starts with
 * its own target stock on hand and nothing on order.
 */
function simulate(job: SimulateJob): SkuOutcome[] {
  const L = job.leadTimeDays;
  return job.skus.map((sku) => {
    const week = (day: number) => Math.floor((day - job.start) / job.forecastEveryDays);
    const suggest = (
      s: Stock,
      w: number,
      service: ServiceTarget,
      weeks: DemandInput[] = sku.weeks,
      capDays?: number | null,
    ) =>
      suggestReplenishment({
        sku: sku.code,
        policy: 'periodic',
        service,
        demand: weeks[w],
        supply: { leadTimeDays: L, reviewPeriodDays: job.reviewPeriodDays },
        stock: { onHand: s.onHand, onOrder: onOrder(s) },
        constraints: capDays
          ? { maxStockLevel: { value: Math.max(1, Math.ceil(capDays * weeks[w].meanPerDay)), label: 'cover cap' } }
          : undefined,
      });
    const recentAverage = (day: number) => {
      let total = 0;
      for (let t = day - job.naiveWindowDays; t < day; t++) total += sku.daily[t] ?? 0;
      return total / job.naiveWindowDays;
    };
    const dss = [
      ...job.uniformLevels.map((level) => ({
        stock: newStock(),
        service: (_w: number) => ({ kind: job.serviceKind, level }),
        weeks: sku.weeks,
        capDays: null as number | null,
      })),
      ...sku.allocated.map((alphas, v) => ({
        weeks:
          job.allocatedSource[v] === 'empirical'
            ? sku.empirical
            : job.allocatedSource[v] === 'compound'
              ? sku.compound
              : job.allocatedSource[v] === 'hybrid'
                ? sku.hybrid
                : sku.weeks,
        stock: newStock(),
        // Levels below 0.5 come only from an allocation allowed to plan dear items below their expected demand.
        service: (w: number) => ({ kind: 'cycle_service' as const, level: alphas[w], allowBelowMean: alphas[w] < 0.5 }),
        capDays: job.allocatedCoverCapDays?.[v] ?? null,
      })),
    ];
    for (const v of dss) v.stock.onHand = suggest(v.stock, 0, v.service(0), v.weeks, v.capDays).orderUpToLevel;
    const naives = job.naiveCoverDays.map((cover) => {
      const s = newStock();
      s.onHand = Math.ceil(cover * recentAverage(job.start));
      return s;
    });
    for (let day = job.start; day < job.start + job.days; day++) {
      const d = sku.daily[day];
      for (const v of dss) serveDay(v.stock, day, d, sku.price);
      for (const s of naives) serveDay(s, day, d, sku.price);
      if ((day - job.start + 1) % job.reviewPeriodDays !== 0) continue;
      // The order placed tonight uses the forecast in force tomorrow morning (a new one starts on refresh days).
      const w = Math.min(sku.weeks.length - 1, week(day + 1));
      for (const v of dss) place(v.stock, day, suggest(v.stock, w, v.service(w), v.weeks, v.capDays).orderQuantity, L);
      const avg = recentAverage(day + 1);
      naives.forEach((s, i) =>
        place(s, day, Math.max(0, Math.ceil(job.naiveCoverDays[i] * avg - s.onHand - onOrder(s))), L),
      );
    }
    return {
      code: sku.code,
      uniform: dss.slice(0, job.uniformLevels.length).map((v) => v.stock.outcome),
      allocated: dss.slice(job.uniformLevels.length).map((v) => v.stock.outcome),
      naive: naives.map((s) => s.outcome),
    };
  });
}

if (parentPort) {
  const job = workerData as ForecastJob | SimulateJob;
  parentPort.postMessage(job.mode === 'forecast' ? forecastAll(job) : simulate(job));
}

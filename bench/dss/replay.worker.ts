import { parentPort, workerData } from 'node:worker_threads';
import { forecastDemand, POLICY_QUANTILE_LEVELS } from '@app/forecasting';
import {
  demandFromForecast,
  DemandInput,
  empiricalCumulativeQuantiles,
  ServiceTarget,
  suggestReplenishment,
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
  skus: { code: string; daily: number[] }[];
  censored: boolean[];
  intermittentQuantiles: 'bootstrap' | 'count' | 'empirical';
}

/** Demand inputs per SKU for each forecast refresh (every `forecastEveryDays` from `start`). */
export interface SkuForecasts {
  code: string;
  weeks: DemandInput[];
  /** The same forecasts with the cumulative quantiles replaced by the history's own h-day totals (see below). */
  empirical: DemandInput[];
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
    allocated: number[][];
  }[];
  /** Demand source of each allocated variant. */
  allocatedSource: ('forecast' | 'empirical')[];
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
    const models: Record<string, number> = {};
    for (let day = job.start; day < job.start + job.days; day += job.forecastEveryDays) {
      // Only the history before the day: the replay never sees the future.
      const forecast = forecastDemand({
        values: sku.daily.slice(0, day),
        censored: job.censored.slice(0, day),
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
      models[forecast.model] = (models[forecast.model] ?? 0) + 1;
    }
    return { code: sku.code, weeks, empirical, models };
  });
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
    const suggest = (s: Stock, w: number, service: ServiceTarget, weeks: DemandInput[] = sku.weeks) =>
      suggestReplenishment({
        sku: sku.code,
        policy: 'periodic',
        service,
        demand: weeks[w],
        supply: { leadTimeDays: L, reviewPeriodDays: job.reviewPeriodDays },
        stock: { onHand: s.onHand, onOrder: onOrder(s) },
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
      })),
      ...sku.allocated.map((alphas, v) => ({
        weeks: job.allocatedSource[v] === 'empirical' ? sku.empirical : sku.weeks,
        stock: newStock(),
        // Levels below 0.5 come only from an allocation allowed to plan dear items below their expected demand.
        service: (w: number) => ({ kind: 'cycle_service' as const, level: alphas[w], allowBelowMean: alphas[w] < 0.5 }),
      })),
    ];
    for (const v of dss) v.stock.onHand = suggest(v.stock, 0, v.service(0), v.weeks).orderUpToLevel;
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
      for (const v of dss) place(v.stock, day, suggest(v.stock, w, v.service(w), v.weeks).orderQuantity, L);
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

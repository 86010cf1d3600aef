import { ForecastRecord } from '../forecast';
import { ForecastAccuracySection, GroupAccuracyRow, SkuAccuracyRow } from './report.types';

export interface AccuracyInput {
  forecast: ForecastRecord;
  title: string;
  categories: readonly string[];
}

const NO_CATEGORY = '(none)';

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Aggregates SKU rows: mean and median MASE over SKUs that have one (the usual M-competition summary), bias as
 * total over-forecast ÷ total actual demand (so big sellers weigh more, as they do in stock), coverage weighted by
 * the periods scored.
 */
export function groupAccuracy(category: string, rows: readonly SkuAccuracyRow[]): GroupAccuracyRow {
  const mases = rows.map((r) => r.mase).filter((m): m is number => m !== null && Number.isFinite(m));
  const actual = rows.reduce((s, r) => s + r.actualTotal, 0);
  const forecast = rows.reduce((s, r) => s + r.forecastTotal, 0);
  const covered = rows.filter((r) => r.coverage !== null);
  const weight = covered.reduce((s, r) => s + r.scoredPeriods, 0);
  return {
    category,
    skus: rows.length,
    meanMase: mases.length > 0 ? mases.reduce((s, m) => s + m, 0) / mases.length : null,
    medianMase: median(mases),
    bias: actual > 0 ? (forecast - actual) / actual : null,
    coverage: weight > 0 ? covered.reduce((s, r) => s + (r.coverage ?? 0) * r.scoredPeriods, 0) / weight : null,
  };
}

/**
 * Forecast accuracy from the holdout stored with each forecast, per SKU (worst MASE first) and per category (an item
 * in several categories counts in each).
 */
export function forecastAccuracyReport(inputs: readonly AccuracyInput[], holdoutDays: number): ForecastAccuracySection {
  const bySku: SkuAccuracyRow[] = inputs
    .filter((i) => i.forecast.accuracy)
    .map(({ forecast: f, title, categories }) => {
      const a = f.accuracy!;
      return {
        sku: f.sku,
        storeId: f.storeId,
        title,
        categories: [...categories],
        model: f.label || f.model,
        demandClass: f.demandClass,
        holdoutPeriods: a.periods,
        scoredPeriods: a.scored,
        mase: a.mase,
        bias: a.relativeBias,
        coverage: a.coverage,
        actualTotal: a.actualTotal,
        forecastTotal: a.forecastTotal,
      };
    })
    .sort(
      (p, q) => (q.mase ?? -1) - (p.mase ?? -1) || p.storeId.localeCompare(q.storeId) || p.sku.localeCompare(q.sku),
    );
  const groups = new Map<string, SkuAccuracyRow[]>();
  for (const row of bySku) {
    for (const c of row.categories.length > 0 ? row.categories : [NO_CATEGORY]) {
      const list = groups.get(c) ?? [];
      list.push(row);
      groups.set(c, list);
    }
  }
  const byCategory = [...groups.entries()]
    .sort(([p], [q]) => p.localeCompare(q))
    .map(([category, rows]) => groupAccuracy(category, rows));
  return { holdoutDays, bySku, byCategory, overall: groupAccuracy('(all)', bySku) };
}

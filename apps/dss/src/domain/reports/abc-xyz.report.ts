import { AbcClass, AbcXyzCell, AbcXyzRow, AbcXyzSection, AbcXyzThresholds, XyzClass } from './report.types';

export const DEFAULT_ABC_XYZ: AbcXyzThresholds = { a: 0.8, b: 0.95, x: 0.5, y: 1 };

export interface AbcXyzInput {
  sku: string;
  storeId: string;
  title: string;
  revenueMinor: number;
  /** Net units per complete week, from the first sale (or the window start) to the last complete week. */
  weeklyUnits: readonly number[];
}

/** Coefficient of variation (sample standard deviation ÷ mean); null without demand, 0 for a single week. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (!(mean > 0)) return null;
  if (n === 1) return 0;
  const variance = values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (n - 1);
  return Math.sqrt(variance) / mean;
}

/**
 * ABC by value and XYZ by variability.
 * ABC: items sorted by revenue; an item is A while the revenue of the items before it is below 80% of the total,
 * B below 95%, else C — so the item that crosses 80% is still A (one item with 90% of the revenue is A, not B).
 * XYZ: CV of weekly demand below 0.5 is X (steady), below 1 is Y, else Z (erratic, or no demand at all).
 */
export function classifyAbcXyz(
  inputs: readonly AbcXyzInput[],
  window: { fromWeek: string; toWeek: string; currency: string },
  thresholds: AbcXyzThresholds = DEFAULT_ABC_XYZ,
): AbcXyzSection {
  const sorted = [...inputs].sort(
    (p, q) => q.revenueMinor - p.revenueMinor || p.storeId.localeCompare(q.storeId) || p.sku.localeCompare(q.sku),
  );
  const total = sorted.reduce((s, r) => s + Math.max(0, r.revenueMinor), 0);
  let before = 0;
  const rows: AbcXyzRow[] = sorted.map((r) => {
    const revenue = Math.max(0, r.revenueMinor);
    const shareBefore = total > 0 ? before / total : 1;
    before += revenue;
    const abc: AbcClass =
      total > 0 && revenue > 0 ? (shareBefore < thresholds.a ? 'A' : shareBefore < thresholds.b ? 'B' : 'C') : 'C';
    const cv = coefficientOfVariation(r.weeklyUnits.map((u) => Math.max(0, u)));
    const xyz: XyzClass = cv === null ? 'Z' : cv < thresholds.x ? 'X' : cv < thresholds.y ? 'Y' : 'Z';
    const weeks = r.weeklyUnits.length;
    return {
      sku: r.sku,
      storeId: r.storeId,
      title: r.title,
      revenueMinor: r.revenueMinor,
      revenueShare: total > 0 ? revenue / total : 0,
      cumulativeShare: total > 0 ? before / total : 0,
      abc,
      weeks,
      meanWeeklyUnits: weeks > 0 ? r.weeklyUnits.reduce((s, v) => s + v, 0) / weeks : 0,
      cv,
      xyz,
      abcXyz: `${abc}${xyz}`,
    };
  });
  const matrix: AbcXyzCell[] = [];
  for (const abc of ['A', 'B', 'C'] as const) {
    for (const xyz of ['X', 'Y', 'Z'] as const) {
      const cell = rows.filter((r) => r.abc === abc && r.xyz === xyz);
      matrix.push({ abc, xyz, skus: cell.length, revenueMinor: cell.reduce((s, r) => s + r.revenueMinor, 0) });
    }
  }
  return { ...window, thresholds, totalRevenueMinor: total, rows, matrix };
}

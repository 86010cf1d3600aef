/** The reports a manager reads: what they contain, independent of the format they are rendered in. */

export const REPORT_KINDS = ['overview', 'abc_xyz', 'stockout_risk', 'overstock', 'forecast_accuracy'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportScope {
  storeId?: string;
  category?: string;
  skus: string[];
}

export type AbcClass = 'A' | 'B' | 'C';
export type XyzClass = 'X' | 'Y' | 'Z';

export interface AbcXyzRow {
  sku: string;
  storeId: string;
  title: string;
  revenueMinor: number;
  /** Share of the scope's revenue, 0–1. */
  revenueShare: number;
  /** Share of revenue of this and every higher-revenue item. */
  cumulativeShare: number;
  abc: AbcClass;
  /** Weeks measured (from the first sale or the window start, whichever is later). */
  weeks: number;
  meanWeeklyUnits: number;
  /** Coefficient of variation of weekly demand; null without demand. */
  cv: number | null;
  xyz: XyzClass;
  /** e.g. "AX". */
  abcXyz: string;
}

export interface AbcXyzThresholds {
  /** Cumulative revenue share that A items make up (0.8), and A + B items (0.95). */
  a: number;
  b: number;
  /** CV of weekly demand below which an item is X (0.5), and Y (1). */
  x: number;
  y: number;
}

export interface AbcXyzCell {
  abc: AbcClass;
  xyz: XyzClass;
  skus: number;
  revenueMinor: number;
}

export interface AbcXyzSection {
  /** Weeks measured: Mondays of the first and last complete week. */
  fromWeek: string;
  toWeek: string;
  thresholds: AbcXyzThresholds;
  currency: string;
  totalRevenueMinor: number;
  rows: AbcXyzRow[];
  /** Nine cells, AX … CZ. */
  matrix: AbcXyzCell[];
}

export interface StockoutRiskRow {
  suggestionId: string;
  sku: string;
  storeId: string;
  title: string;
  stockoutProbability: number;
  expectedUnitsShort: number;
  daysOfCover: number;
  onHand: number;
  onOrder: number;
  reorderPoint: number;
  safetyStock: number;
  orderQuantity: number;
  orderDate: string;
  leadTimeDays: number;
  /** False when no stock position was received (the figures assume zero). */
  stockKnown: boolean;
}

export interface OverstockRow {
  suggestionId: string;
  sku: string;
  storeId: string;
  title: string;
  excessUnits: number;
  excessValueMinor: number;
  currency: string;
  onHand: number;
  orderUpToLevel: number;
  daysOfCover: number;
}

export interface MoneyTotal {
  currency: string;
  excessUnits: number;
  excessValueMinor: number;
}

export interface OverstockSection {
  rows: OverstockRow[];
  totals: MoneyTotal[];
}

export interface SkuAccuracyRow {
  sku: string;
  storeId: string;
  title: string;
  categories: string[];
  model: string;
  demandClass: string;
  holdoutPeriods: number;
  scoredPeriods: number;
  /** Holdout MASE; null when the scale is zero. */
  mase: number | null;
  /** Mean error ÷ mean demand: +0.1 = forecasts 10% too high. */
  bias: number | null;
  /** Share of actuals inside the 10–90% interval (0.8 when calibrated). */
  coverage: number | null;
  actualTotal: number;
  forecastTotal: number;
}

export interface GroupAccuracyRow {
  /** Category name, `(none)` for uncategorised items, `(all)` for the total. */
  category: string;
  skus: number;
  meanMase: number | null;
  medianMase: number | null;
  /** Σ(forecast − actual) ÷ Σ actual over the holdout. */
  bias: number | null;
  /** Coverage weighted by scored periods. */
  coverage: number | null;
}

export interface ForecastAccuracySection {
  holdoutDays: number;
  bySku: SkuAccuracyRow[];
  byCategory: GroupAccuracyRow[];
  overall: GroupAccuracyRow;
}

/** One item's chart: the last weeks of demand, the forecast with its band, and the stock against the reorder point. */
export interface SkuChart {
  sku: string;
  storeId: string;
  title: string;
  /** Past days, oldest first; onHand is the day's closing stock when reported. */
  history: { day: string; units: number; censored: boolean; onHand?: number }[];
  /** Future days from today: demand mean and 10–90% band; cumulative demand (for the projected stock) likewise. */
  forecast: {
    day: string;
    mean: number;
    low: number;
    high: number;
    cumMean: number;
    cumLow: number;
    cumHigh: number;
  }[];
  model?: string;
  suggestion?: {
    reorderPoint: number;
    safetyStock: number;
    orderUpToLevel: number;
    inventoryPosition: number;
    orderQuantity: number;
    stockoutProbability: number;
    leadTimeDays: number;
    stockKnown: boolean;
  };
}

export interface ReportDocument {
  kind: ReportKind;
  title: string;
  /** ISO instant. */
  generatedAt: string;
  scope: ReportScope;
  abcXyz?: AbcXyzSection;
  stockoutRisk?: { rows: StockoutRiskRow[] };
  overstock?: OverstockSection;
  forecastAccuracy?: ForecastAccuracySection;
}

export const REPORT_TITLES: Readonly<Record<ReportKind, string>> = {
  overview: 'Stock and forecast overview',
  abc_xyz: 'ABC × XYZ classes',
  stockout_risk: 'Stockout risk',
  overstock: 'Overstock',
  forecast_accuracy: 'Forecast accuracy',
};

export function includes(kind: ReportKind, section: Exclude<ReportKind, 'overview'>): boolean {
  return kind === 'overview' || kind === section;
}

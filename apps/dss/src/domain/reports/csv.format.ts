import { fromMinor, minorUnitDigits } from '../money';
import { ReportDocument } from './report.types';

export type CsvCell = string | number | boolean | null | undefined;

/** One RFC 4180 field: quoted when it holds a comma, a quote or a line break; quotes doubled. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: a header row, CRLF after every record. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

const round = (x: number | null | undefined, digits = 4): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;

/** Money as a plain decimal in major units (12.50), next to its currency column. */
const money = (minor: number, currency: string): string =>
  fromMinor(minor, currency).toFixed(minorUnitDigits(currency));

/** Sections that make one table each; the overview has several and is JSON or HTML only. */
export const CSV_KINDS = ['abc_xyz', 'stockout_risk', 'overstock', 'forecast_accuracy'] as const;

export function reportToCsv(doc: ReportDocument): string {
  if (doc.abcXyz && doc.kind === 'abc_xyz') {
    const { currency } = doc.abcXyz;
    return toCsv(
      [
        'sku',
        'store_id',
        'title',
        'revenue',
        'currency',
        'revenue_share',
        'cumulative_share',
        'abc',
        'weeks',
        'mean_weekly_units',
        'cv',
        'xyz',
        'class',
      ],
      doc.abcXyz.rows.map((r) => [
        r.sku,
        r.storeId,
        r.title,
        money(r.revenueMinor, currency),
        currency,
        round(r.revenueShare),
        round(r.cumulativeShare),
        r.abc,
        r.weeks,
        round(r.meanWeeklyUnits, 2),
        round(r.cv),
        r.xyz,
        r.abcXyz,
      ]),
    );
  }
  if (doc.stockoutRisk && doc.kind === 'stockout_risk') {
    return toCsv(
      [
        'sku',
        'store_id',
        'title',
        'stockout_probability',
        'expected_units_short',
        'days_of_cover',
        'on_hand',
        'on_order',
        'reorder_point',
        'safety_stock',
        'order_quantity',
        'order_date',
        'lead_time_days',
        'stock_known',
      ],
      doc.stockoutRisk.rows.map((r) => [
        r.sku,
        r.storeId,
        r.title,
        round(r.stockoutProbability),
        round(r.expectedUnitsShort, 2),
        round(r.daysOfCover, 1),
        r.onHand,
        r.onOrder,
        r.reorderPoint,
        r.safetyStock,
        r.orderQuantity,
        r.orderDate,
        r.leadTimeDays,
        r.stockKnown,
      ]),
    );
  }
  if (doc.overstock && doc.kind === 'overstock') {
    return toCsv(
      [
        'sku',
        'store_id',
        'title',
        'excess_units',
        'excess_value',
        'currency',
        'on_hand',
        'order_up_to_level',
        'days_of_cover',
      ],
      doc.overstock.rows.map((r) => [
        r.sku,
        r.storeId,
        r.title,
        round(r.excessUnits, 2),
        money(r.excessValueMinor, r.currency),
        r.currency,
        r.onHand,
        r.orderUpToLevel,
        round(r.daysOfCover, 1),
      ]),
    );
  }
  if (doc.forecastAccuracy && doc.kind === 'forecast_accuracy') {
    const a = doc.forecastAccuracy;
    const group = (level: string) => (g: typeof a.overall) => [
      level,
      g.category,
      '',
      '',
      '',
      '',
      g.skus,
      '',
      '',
      round(g.meanMase),
      round(g.bias),
      round(g.coverage),
    ];
    return toCsv(
      [
        'level',
        'key',
        'store_id',
        'title',
        'model',
        'demand_class',
        'skus',
        'holdout_periods',
        'scored_periods',
        'mase',
        'bias',
        'coverage',
      ],
      [
        ...a.bySku.map((r) => [
          'sku',
          r.sku,
          r.storeId,
          r.title,
          r.model,
          r.demandClass,
          1,
          r.holdoutPeriods,
          r.scoredPeriods,
          round(r.mase),
          round(r.bias),
          round(r.coverage),
        ]),
        ...a.byCategory.map(group('category')),
        group('all')(a.overall),
      ],
    );
  }
  throw new RangeError(`the ${doc.kind} report has several tables; ask for one kind as CSV`);
}

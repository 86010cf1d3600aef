import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { ValidationError } from '@app/platform/errors';
import { ForecastPoint, ForecastRecord, QuantileValue } from '../domain/forecast';
import { classifyAbcXyz } from '../domain/reports/abc-xyz.report';
import { reportToCsv } from '../domain/reports/csv.format';
import { forecastAccuracyReport } from '../domain/reports/forecast-accuracy.report';
import { reportToHtml } from '../domain/reports/html.report';
import {
  includes,
  REPORT_TITLES,
  ReportDocument,
  ReportFormat,
  ReportKind,
  ReportScope,
  SkuChart,
} from '../domain/reports/report.types';
import { OpenSuggestion, overstockList, stockoutRiskList } from '../domain/reports/stock-lists.report';
import { Suggestion } from '../domain/suggestion';
import { DssConfig } from '../dss.config';
import { addDays, Clock } from '../infra/clock';
import { DemandRepository, ItemInfo, pairKey, SkuStore } from '../infra/demand.repository';
import { ForecastRepository } from '../infra/forecast.repository';
import { ReportRepository } from '../infra/report.repository';
import { SuggestionRepository } from '../infra/suggestion.repository';

export interface RenderedReport {
  contentType: string;
  filename: string;
  generatedAt: Date;
  body: Buffer;
}

const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  html: 'text/html; charset=utf-8',
};

/** Items charted in an HTML report. */
const CHARTS = 12;
/** Days of history and of forecast on a chart. */
const CHART_HISTORY_DAYS = 56;
const CHART_FORECAST_DAYS = 28;
/** Weeks measured for XYZ (and revenue for ABC): a year. */
const ABC_XYZ_WEEKS = 52;
/** Open suggestions read for the stock lists. */
const MAX_OPEN_SUGGESTIONS = 100_000;

/** The value at a level, or at the nearest level the forecast has. */
function at(values: readonly QuantileValue[], level: number): number | undefined {
  let best: QuantileValue | undefined;
  for (const v of values) if (!best || Math.abs(v.quantile - level) < Math.abs(best.quantile - level)) best = v;
  return best?.value;
}

function chartForecast(points: readonly ForecastPoint[], from: string): SkuChart['forecast'] {
  let cumMean = 0;
  return points
    .map((p) => {
      cumMean += p.mean;
      return { p, cumMean };
    })
    .filter(({ p }) => p.periodStart >= from)
    .slice(0, CHART_FORECAST_DAYS)
    .map(({ p, cumMean: cm }) => ({
      day: p.periodStart,
      mean: p.mean,
      low: at(p.quantiles, 0.1) ?? p.mean,
      high: at(p.quantiles, 0.9) ?? p.mean,
      cumMean: cm,
      cumLow: at(p.cumulative, 0.1) ?? cm,
      cumHigh: at(p.cumulative, 0.9) ?? cm,
    }));
}

/** Reports for managers: assembles the data, lets the pure builders classify and render it. */
@Injectable()
export class ReportService {
  constructor(
    private readonly demand: DemandRepository,
    private readonly suggestions: SuggestionRepository,
    private readonly forecasts: ForecastRepository,
    private readonly reports: ReportRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: DssConfig,
  ) {}

  async render(kind: ReportKind, format: ReportFormat, scope: ReportScope): Promise<RenderedReport> {
    if (format === 'csv' && kind === 'overview') {
      throw new ValidationError([
        { field: 'format', message: 'the overview has several tables: ask for one kind as CSV, or for JSON or HTML' },
      ]);
    }
    const generatedAt = this.clock.now();
    const doc = await this.document(kind, scope, generatedAt);
    const body =
      format === 'json'
        ? JSON.stringify(doc, null, 2)
        : format === 'csv'
          ? reportToCsv(doc)
          : reportToHtml(doc, await this.charts(doc, scope));
    return {
      contentType: CONTENT_TYPES[format],
      filename: this.filename(kind, format, scope, generatedAt),
      generatedAt,
      body: Buffer.from(body, 'utf8'),
    };
  }

  async document(kind: ReportKind, scope: ReportScope, generatedAt: Date): Promise<ReportDocument> {
    const doc: ReportDocument = {
      kind,
      title: REPORT_TITLES[kind],
      generatedAt: generatedAt.toISOString(),
      scope,
    };
    const today = generatedAt.toISOString().slice(0, 10);
    if (includes(kind, 'stockout_risk') || includes(kind, 'overstock')) {
      const open = await this.openSuggestions(scope);
      if (includes(kind, 'stockout_risk')) doc.stockoutRisk = stockoutRiskList(open);
      if (includes(kind, 'overstock')) doc.overstock = overstockList(open);
    }
    if (includes(kind, 'abc_xyz')) doc.abcXyz = await this.abcXyz(scope, today);
    if (includes(kind, 'forecast_accuracy')) {
      const forecasts = await this.forecasts.list(scope, 'day');
      const items = await this.demand.items([...new Set(forecasts.map((f) => f.sku))]);
      doc.forecastAccuracy = forecastAccuracyReport(
        forecasts.map((forecast) => ({
          forecast,
          title: items.get(forecast.sku)?.title ?? '',
          categories: items.get(forecast.sku)?.categories ?? [],
        })),
        this.config.DSS_ACCURACY_HOLDOUT_DAYS,
      );
    }
    return doc;
  }

  private async openSuggestions(scope: ReportScope): Promise<OpenSuggestion[]> {
    const { items } = await this.suggestions.list({
      ...scope,
      status: 'proposed',
      limit: MAX_OPEN_SUGGESTIONS,
      offset: 0,
    });
    const titles = await this.demand.items([...new Set(items.map((s) => s.sku))]);
    return items.map((suggestion) => ({ suggestion, title: titles.get(suggestion.sku)?.title ?? '' }));
  }

  private async abcXyz(scope: ReportScope, today: string) {
    // The last complete ISO week ends on the Sunday before this week's Monday.
    const d = new Date(`${today}T00:00:00Z`);
    const thisMonday = addDays(today, -((d.getUTCDay() + 6) % 7));
    const toWeek = addDays(thisMonday, -7);
    const fromWeek = addDays(toWeek, -7 * (ABC_XYZ_WEEKS - 1));
    const sales = await this.reports.weeklySales(scope, fromWeek, toWeek);
    const items = await this.demand.items([...new Set(sales.map((s) => s.sku))]);
    const inputs = sales.map((s) => {
      // The first complete week from the first sale: a partial first week reads as a demand swing.
      const weekday = (new Date(`${s.firstSale}T00:00:00Z`).getUTCDay() + 6) % 7;
      const firstWeek = weekday === 0 ? s.firstSale : addDays(s.firstSale, 7 - weekday);
      const weeklyUnits: number[] = [];
      for (let w = firstWeek > fromWeek ? firstWeek : fromWeek; w <= toWeek; w = addDays(w, 7)) {
        weeklyUnits.push(s.weeks.get(w) ?? 0);
      }
      return {
        sku: s.sku,
        storeId: s.storeId,
        title: items.get(s.sku)?.title ?? '',
        revenueMinor: s.revenueMinor,
        weeklyUnits,
      };
    });
    return classifyAbcXyz(inputs, { fromWeek, toWeek, currency: this.config.DSS_DEFAULT_CURRENCY });
  }

  /** The items worth a chart for this report: the most at risk, the largest excess, the top sellers, the worst forecasts. */
  private chartPairs(doc: ReportDocument): SkuStore[] {
    const pick = (rows: readonly SkuStore[] | undefined) => (rows ?? []).slice(0, CHARTS);
    switch (doc.kind) {
      case 'overstock':
        return pick(doc.overstock?.rows);
      case 'abc_xyz':
        return pick(doc.abcXyz?.rows);
      case 'forecast_accuracy':
        return pick(doc.forecastAccuracy?.bySku);
      default: {
        const risk = pick(doc.stockoutRisk?.rows);
        return risk.length > 0 ? risk : pick(doc.abcXyz?.rows);
      }
    }
  }

  private async charts(doc: ReportDocument, scope: ReportScope): Promise<SkuChart[]> {
    const pairs = this.chartPairs(doc);
    if (pairs.length === 0) return [];
    const today = doc.generatedAt.slice(0, 10);
    const [days, items, forecasts, open] = await Promise.all([
      this.reports.chartDays(pairs, addDays(today, -CHART_HISTORY_DAYS), addDays(today, -1)),
      this.demand.items([...new Set(pairs.map((p) => p.sku))]),
      Promise.all(pairs.map((p) => this.forecasts.find(p.sku, p.storeId, 'day'))),
      this.suggestions.list({
        storeId: scope.storeId,
        skus: [...new Set(pairs.map((p) => p.sku))],
        status: 'proposed',
        limit: MAX_OPEN_SUGGESTIONS,
        offset: 0,
      }),
    ]);
    const openByPair = new Map<string, Suggestion>(open.items.map((s) => [pairKey(s), s]));
    return pairs.map((p, i) =>
      this.chart(p, days.get(pairKey(p)) ?? [], items.get(p.sku), forecasts[i], openByPair.get(pairKey(p)), today),
    );
  }

  private chart(
    p: SkuStore,
    history: SkuChart['history'],
    item: ItemInfo | undefined,
    forecast: ForecastRecord | undefined,
    s: Suggestion | undefined,
    today: string,
  ): SkuChart {
    return {
      sku: p.sku,
      storeId: p.storeId,
      title: item?.title ?? '',
      history,
      forecast: forecast ? chartForecast(forecast.points, today) : [],
      model: forecast ? forecast.title || forecast.model : undefined,
      suggestion: s
        ? {
            reorderPoint: s.reorderPoint,
            safetyStock: s.safetyStock,
            orderUpToLevel: s.orderUpToLevel,
            inventoryPosition: s.inventoryPosition,
            orderQuantity: s.orderQuantity,
            stockoutProbability: s.stockoutProbability,
            leadTimeDays: s.leadTimeDays,
            stockKnown: !s.reasons.some((r) => r.code === 'STOCK.UNKNOWN'),
          }
        : undefined,
    };
  }

  private filename(kind: ReportKind, format: ReportFormat, scope: ReportScope, at: Date): string {
    const parts = [kind.replace(/_/g, '-')];
    if (scope.storeId) parts.push('store', scope.storeId);
    if (scope.category) parts.push(scope.category);
    parts.push(at.toISOString().slice(0, 10));
    return `${parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '_')}.${format}`;
  }
}

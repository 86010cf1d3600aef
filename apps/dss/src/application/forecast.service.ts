import { Inject, Injectable } from '@nestjs/common';
import { DAYS_PER_PERIOD, Frequency, ModelName } from '@app/forecasting';
import { APP_CONFIG } from '@app/platform/config';
import { NotFoundError, PreconditionError } from '@app/platform/errors';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  buildForecast,
  BuiltForecast,
  BuildForecastInput,
  ForecastRecord,
  HistoryPoint,
  historyPoints,
  ModelNotApplicableError,
} from '../domain/forecast';
import { DssConfig } from '../dss.config';
import { addDays, Clock } from '../infra/clock';
import { DemandRepository } from '../infra/demand.repository';
import { ForecastRepository } from '../infra/forecast.repository';
import { SupplyParametersRepository } from '../infra/supply-parameters.repository';

export interface ForecastQuery {
  sku: string;
  storeId: string;
  /** Periods ahead; undefined = lead time + review period of the item (or the defaults). */
  horizon?: number;
  frequency: Frequency;
  /** Levels to return (ascending); the stored forecast always has the 10/50/90% ones for charts too. */
  quantiles: number[];
  model?: ModelName;
  historyPeriods: number;
}

export interface ForecastResult {
  forecast: ForecastRecord;
  history: HistoryPoint[];
}

/** Levels every stored forecast carries: the chart band (10–90%) and the median. */
const CHART_LEVELS = [0.1, 0.5, 0.9];

/** Demand forecasts per SKU × store, on demand; each one replaces the stored forecast of its frequency. */
@Injectable()
export class ForecastService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly demand: DemandRepository,
    private readonly forecasts: ForecastRepository,
    private readonly supply: SupplyParametersRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: DssConfig,
  ) {}

  /** History window: the last DSS_HISTORY_DAYS complete days (today is still selling, so it ends yesterday). */
  historyWindow(today: string): { from: string; to: string } {
    const to = addDays(today, -1);
    return { from: addDays(to, -(this.config.DSS_HISTORY_DAYS - 1)), to };
  }

  async forecast(q: ForecastQuery): Promise<ForecastResult> {
    if (!(await this.demand.knowsSku(q.sku))) {
      throw new NotFoundError('SKU.NOT_FOUND', `The DSS has no catalogue entry, sales or stock for SKU ${q.sku}`);
    }
    const now = this.clock.now();
    const today = now.toISOString().slice(0, 10);
    const window = this.historyWindow(today);
    const first = await this.demand.firstSaleDay(q.sku, q.storeId);
    const rows =
      first && first <= window.to
        ? await this.demand.dailyDemand(q.sku, q.storeId, first > window.from ? first : window.from, window.to)
        : [];
    const horizon = q.horizon ?? (await this.defaultHorizon(q.sku, q.storeId, q.frequency));
    const levels = [...new Set([...q.quantiles, ...CHART_LEVELS])].sort((a, b) => a - b);
    const built = this.build({
      forecastId: randomUUID(),
      sku: q.sku,
      storeId: q.storeId,
      rows,
      frequency: q.frequency,
      horizon,
      quantileLevels: levels,
      model: q.model,
      holdoutDays: this.config.DSS_ACCURACY_HOLDOUT_DAYS,
      today,
      computedAt: now,
    });
    // A forced model is a what-if: it is answered, not stored in place of the backtest's choice.
    if (!q.model) await this.forecasts.upsert(this.dataSource, built.record);
    const wanted = new Set(q.quantiles);
    const forecast: ForecastRecord = {
      ...built.record,
      points: built.record.points.map((p) => ({
        ...p,
        quantiles: p.quantiles.filter((v) => wanted.has(v.quantile)),
        cumulative: p.cumulative.filter((v) => wanted.has(v.quantile)),
      })),
    };
    return { forecast, history: historyPoints(built.series, q.historyPeriods) };
  }

  private build(input: BuildForecastInput): BuiltForecast {
    try {
      return buildForecast(input);
    } catch (err) {
      if (err instanceof ModelNotApplicableError)
        throw new PreconditionError('FORECAST.MODEL_NOT_APPLICABLE', err.message);
      throw err;
    }
  }

  /** Lead time plus review period of the item at the store (or the defaults), in periods of the frequency. */
  private async defaultHorizon(sku: string, storeId: string, frequency: Frequency): Promise<number> {
    const p = (await this.supply.forStore([sku], storeId)).get(sku);
    const days =
      (p?.leadTimeDays ?? this.config.DSS_DEFAULT_LEAD_TIME_DAYS) +
      (p?.reviewPeriodDays || this.config.DSS_DEFAULT_REVIEW_PERIOD_DAYS);
    return Math.max(1, Math.ceil(days / DAYS_PER_PERIOD[frequency]));
  }
}

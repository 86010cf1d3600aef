import { Injectable } from '@nestjs/common';
import { Frequency } from '@app/forecasting';
import { DataSource, EntityManager } from 'typeorm';
import { ForecastPoint, ForecastRecord, HoldoutAccuracy, ModelScore } from '../domain/forecast';

interface Row {
  forecast_id: string;
  sku: string;
  store_id: string;
  frequency: Frequency;
  model: string;
  label: string;
  title: string;
  demand_class: string;
  selected_by: string;
  interval_method: string;
  candidates: ModelScore[];
  points: ForecastPoint[];
  history_start: string | null;
  history_periods: number;
  imputed_periods: number;
  accuracy: HoldoutAccuracy | null;
  computed_at: Date;
}

const COLUMNS = `forecast_id, sku, store_id, frequency, model, label, title, demand_class, selected_by, interval_method,
  candidates, points, to_char(history_start, 'YYYY-MM-DD') AS history_start, history_periods, imputed_periods,
  accuracy, computed_at`;

const toDomain = (r: Row): ForecastRecord => ({
  forecastId: r.forecast_id,
  sku: r.sku,
  storeId: r.store_id,
  frequency: r.frequency,
  model: r.model,
  label: r.label,
  title: r.title,
  demandClass: r.demand_class,
  selectedBy: r.selected_by,
  intervalMethod: r.interval_method,
  candidates: r.candidates,
  points: r.points,
  historyStart: r.history_start ?? undefined,
  historyPeriods: r.history_periods,
  imputedPeriods: r.imputed_periods,
  accuracy: r.accuracy ?? undefined,
  computedAt: r.computed_at,
});

const UPSERT_HEAD = `INSERT INTO forecast (forecast_id, sku, store_id, frequency, model, label, title, demand_class,
  selected_by, interval_method, candidates, points, history_start, history_periods, imputed_periods, accuracy,
  computed_at)`;

const UPSERT_TAIL = `ON CONFLICT (sku, store_id, frequency) DO UPDATE SET forecast_id = EXCLUDED.forecast_id,
  model = EXCLUDED.model, label = EXCLUDED.label, title = EXCLUDED.title, demand_class = EXCLUDED.demand_class,
  selected_by = EXCLUDED.selected_by, interval_method = EXCLUDED.interval_method,
  candidates = EXCLUDED.candidates, points = EXCLUDED.points, history_start = EXCLUDED.history_start,
  history_periods = EXCLUDED.history_periods, imputed_periods = EXCLUDED.imputed_periods,
  accuracy = EXCLUDED.accuracy, computed_at = EXCLUDED.computed_at`;

// JSON has no NaN or Infinity: JSON.stringify writes them as null (e.g. a MASE without a scale), without the cost
// of a replacer called for every value.
const upsertValues = (f: ForecastRecord): unknown[] => [
  f.forecastId,
  f.sku,
  f.storeId,
  f.frequency,
  f.model,
  f.label,
  f.title,
  f.demandClass,
  f.selectedBy,
  f.intervalMethod,
  JSON.stringify(f.candidates),
  JSON.stringify(f.points),
  f.historyStart ?? null,
  f.historyPeriods,
  f.imputedPeriods,
  f.accuracy ? JSON.stringify(f.accuracy) : null,
  f.computedAt,
];

/** The latest forecast per SKU × store × frequency. */
@Injectable()
export class ForecastRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Replaces the forecast for the SKU, store and frequency. The id changes with every computation, so a suggestion
   * whose forecast_id no longer matches was computed from an older forecast.
   */
  async upsert(m: EntityManager | DataSource, f: ForecastRecord): Promise<void> {
    await m.query(
      `${UPSERT_HEAD} VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17) ${UPSERT_TAIL}`,
      upsertValues(f),
    );
  }

  /** `upsert` for many forecasts (of distinct SKU × store × frequency) in one statement per thousand. */
  async upsertMany(m: EntityManager, list: readonly ForecastRecord[]): Promise<void> {
    for (let from = 0; from < list.length; from += 1000) {
      const chunk = list.slice(from, from + 1000);
      const params: unknown[] = [];
      const tuples = chunk.map((f) => {
        const first = params.length;
        params.push(...upsertValues(f));
        return `(${Array.from({ length: 17 }, (_, j) => `$${first + j + 1}`).join(',')})`;
      });
      await m.query(`${UPSERT_HEAD} VALUES ${tuples.join(', ')} ${UPSERT_TAIL}`, params);
    }
  }

  async find(sku: string, storeId: string, frequency: Frequency): Promise<ForecastRecord | undefined> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM forecast WHERE sku = $1 AND store_id = $2 AND frequency = $3`,
      [sku, storeId, frequency],
    );
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  /** Forecasts of a frequency within a scope, for reports. */
  async list(
    scope: { storeId?: string; category?: string; skus?: readonly string[] },
    frequency: Frequency,
  ): Promise<ForecastRecord[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM forecast f
        WHERE f.frequency = $1
          AND ($2::text IS NULL OR f.store_id = $2)
          AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM item i WHERE i.sku = f.sku AND $3 = ANY(i.categories)))
          AND (cardinality($4::text[]) = 0 OR f.sku = ANY($4::text[]))
        ORDER BY f.store_id, f.sku`,
      [frequency, scope.storeId || null, scope.category || null, scope.skus ?? []],
    );
    return rows.map(toDomain);
  }
}

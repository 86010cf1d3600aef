import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReportScope } from '../domain/reports/report.types';
import { pairKey, SkuStore } from './demand.repository';

export interface WeeklySales {
  sku: string;
  storeId: string;
  /** First day the pair ever sold. */
  firstSale: string;
  revenueMinor: number;
  /** Net units per week (Monday `YYYY-MM-DD`), only weeks with sales. */
  weeks: Map<string, number>;
}

export interface ChartDay {
  day: string;
  units: number;
  censored: boolean;
  onHand?: number;
}

const SCOPE_FILTER = `($1::text IS NULL OR s.store_id = $1)
  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM item i WHERE i.sku = s.sku AND $2 = ANY(i.categories)))
  AND (cardinality($3::text[]) = 0 OR s.sku = ANY($3::text[]))`;

/** The reads the reports need beyond suggestions and forecasts. */
@Injectable()
export class ReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Revenue and weekly net units per SKU × store, weeks from `fromWeek` to `toWeek` (Mondays, inclusive). */
  async weeklySales(scope: ReportScope, fromWeek: string, toWeek: string): Promise<WeeklySales[]> {
    const params = [scope.storeId || null, scope.category || null, scope.skus];
    const rows: { sku: string; store_id: string; week: string; units: string; revenue: string }[] =
      await this.dataSource.query(
        `SELECT s.sku, s.store_id, to_char(date_trunc('week', s.day), 'YYYY-MM-DD') AS week,
                sum(s.units_sold - s.units_returned) AS units, sum(s.revenue_minor) AS revenue
           FROM daily_sales s
          WHERE ${SCOPE_FILTER} AND s.day >= $4::date AND s.day < $5::date + 7
          GROUP BY 1, 2, 3`,
        [...params, fromWeek, toWeek],
      );
    const firsts: { sku: string; store_id: string; first: string }[] = await this.dataSource.query(
      `SELECT s.sku, s.store_id, to_char(min(s.day), 'YYYY-MM-DD') AS first FROM daily_sales s
        WHERE ${SCOPE_FILTER} GROUP BY 1, 2`,
      params,
    );
    const first = new Map(firsts.map((f) => [pairKey({ sku: f.sku, storeId: f.store_id }), f.first]));
    const out = new Map<string, WeeklySales>();
    for (const r of rows) {
      const key = pairKey({ sku: r.sku, storeId: r.store_id });
      let w = out.get(key);
      if (!w) {
        w = {
          sku: r.sku,
          storeId: r.store_id,
          firstSale: first.get(key) ?? fromWeek,
          revenueMinor: 0,
          weeks: new Map(),
        };
        out.set(key, w);
      }
      w.revenueMinor += Number(r.revenue);
      w.weeks.set(r.week, Number(r.units));
    }
    return [...out.values()];
  }

  /** Daily sales, stock-out flags and closing stock of a few pairs, for charts; every day filled in. */
  async chartDays(pairs: readonly SkuStore[], from: string, to: string): Promise<Map<string, ChartDay[]>> {
    const rows: {
      sku: string;
      store_id: string;
      day: string;
      units: string;
      censored: boolean;
      on_hand: string | null;
    }[] = await this.dataSource.query(
      `SELECT p.sku, p.store_id, to_char(g.ts, 'YYYY-MM-DD') AS day,
              COALESCE(s.units_sold - s.units_returned, 0) AS units,
              COALESCE(k.min_on_hand <= 0, false) AS censored, k.closing_on_hand AS on_hand
         FROM unnest($1::text[], $2::text[]) AS p(sku, store_id)
         CROSS JOIN generate_series($3::date, $4::date, interval '1 day') AS g(ts)
         LEFT JOIN daily_sales s ON s.sku = p.sku AND s.store_id = p.store_id AND s.day = g.ts::date
         LEFT JOIN daily_stock k ON k.sku = p.sku AND k.store_id = p.store_id AND k.day = g.ts::date
        ORDER BY p.store_id, p.sku, g.ts`,
      [pairs.map((p) => p.sku), pairs.map((p) => p.storeId), from, to],
    );
    const out = new Map<string, ChartDay[]>();
    for (const r of rows) {
      const key = pairKey({ sku: r.sku, storeId: r.store_id });
      const list = out.get(key) ?? [];
      list.push({
        day: r.day,
        units: Number(r.units),
        censored: r.censored,
        ...(r.on_hand !== null ? { onHand: Number(r.on_hand) } : {}),
      });
      out.set(key, list);
    }
    return out;
  }
}

import { Injectable } from '@nestjs/common';
import { ItemUpsertedV1, SalesLineV1, StockPositionV1 } from '@app/contracts/events';
import { DataSource, EntityManager } from 'typeorm';
import { DailyHistory, historyRows } from '../domain/forecast';

export interface DailyDemandRow {
  day: string;
  /** Net units: sold minus returned. */
  units: number;
  /** Stock reached zero that day: observed sales understate demand. */
  censored: boolean;
}

export interface StockPosition {
  onHand: number;
  onOrder: number;
  observedAt: Date;
}

export interface ItemInfo {
  sku: string;
  title: string;
  categories: string[];
  priceMinor?: number;
  currency?: string;
  available: boolean;
}

export interface SkuStore {
  sku: string;
  storeId: string;
}

/** Map key of a SKU × store pair. */
export const pairKey = (p: SkuStore): string => `${p.storeId}\u0000${p.sku}`;

const utcDay = (iso: string) => iso.slice(0, 10);

/** Sales, stock and catalogue facts as the DSS keeps them: per SKU × store × UTC day. */
@Injectable()
export class DemandRepository {
  constructor(private readonly dataSource: DataSource) {}

  async applySalesLine(m: EntityManager, line: SalesLineV1): Promise<void> {
    const isReturn = line.kind === 'return' || line.quantity < 0;
    const units = Math.abs(line.quantity);
    await m.query(
      `INSERT INTO daily_sales (sku, store_id, day, units_sold, units_returned, revenue_minor, lines)
       VALUES ($1, $2, $3, $4, $5, $6, 1)
       ON CONFLICT (sku, store_id, day) DO UPDATE SET
         units_sold = daily_sales.units_sold + EXCLUDED.units_sold,
         units_returned = daily_sales.units_returned + EXCLUDED.units_returned,
         revenue_minor = daily_sales.revenue_minor + EXCLUDED.revenue_minor,
         lines = daily_sales.lines + 1`,
      [
        line.sku,
        line.storeId,
        utcDay(line.occurredAt),
        isReturn ? 0 : units,
        isReturn ? units : 0,
        (isReturn ? -1 : 1) * units * line.unitPriceMinor,
      ],
    );
  }

  /** Keeps the latest position (late, older observations do not overwrite it) and each day's low. */
  async applyStockPosition(m: EntityManager, p: StockPositionV1): Promise<void> {
    await m.query(
      `INSERT INTO stock_position (sku, store_id, on_hand, on_order, observed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sku, store_id) DO UPDATE SET on_hand = EXCLUDED.on_hand, on_order = EXCLUDED.on_order,
         observed_at = EXCLUDED.observed_at
       WHERE stock_position.observed_at <= EXCLUDED.observed_at`,
      [p.sku, p.storeId, p.onHand, p.onOrder, p.observedAt],
    );
    await m.query(
      `INSERT INTO daily_stock (sku, store_id, day, closing_on_hand, min_on_hand, observed_at)
       VALUES ($1, $2, $3, $4, $4, $5)
       ON CONFLICT (sku, store_id, day) DO UPDATE SET
         min_on_hand = LEAST(daily_stock.min_on_hand, EXCLUDED.min_on_hand),
         closing_on_hand = CASE WHEN EXCLUDED.observed_at >= daily_stock.observed_at
                                THEN EXCLUDED.closing_on_hand ELSE daily_stock.closing_on_hand END,
         observed_at = GREATEST(daily_stock.observed_at, EXCLUDED.observed_at)`,
      [p.sku, p.storeId, utcDay(p.observedAt), p.onHand, p.observedAt],
    );
  }

  async applyItem(m: EntityManager, item: ItemUpsertedV1): Promise<void> {
    await m.query(
      `INSERT INTO item (sku, title, categories, price_minor, currency, available, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (sku) DO UPDATE SET title = EXCLUDED.title, categories = EXCLUDED.categories,
         price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency, available = EXCLUDED.available,
         updated_at = EXCLUDED.updated_at
       WHERE item.updated_at <= EXCLUDED.updated_at`,
      [
        item.itemId,
        item.title,
        item.categories,
        item.priceMinor ?? null,
        item.currency ?? null,
        item.available && !item.hidden,
        item.updatedAt,
      ],
    );
  }

  /** Daily net demand from `from` to `to` (inclusive), with zero-demand days filled in. */
  async dailyDemand(sku: string, storeId: string, from: string, to: string): Promise<DailyDemandRow[]> {
    const rows: { day: string; units: string; censored: boolean }[] = await this.dataSource.query(
      `SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
              COALESCE(s.units_sold - s.units_returned, 0) AS units,
              COALESCE(k.min_on_hand <= 0, false) AS censored
         FROM generate_series($3::date, $4::date, interval '1 day') AS d(day)
         LEFT JOIN daily_sales s ON s.sku = $1 AND s.store_id = $2 AND s.day = d.day
         LEFT JOIN daily_stock k ON k.sku = $1 AND k.store_id = $2 AND k.day = d.day
        ORDER BY d.day`,
      [sku, storeId, from, to],
    );
    return rows.map((r) => ({ day: r.day, units: Number(r.units), censored: r.censored }));
  }

  /** First day with any sale for the SKU at the store, if any. */
  async firstSaleDay(sku: string, storeId: string): Promise<string | undefined> {
    const r: { day: string | null }[] = await this.dataSource.query(
      `SELECT to_char(min(day), 'YYYY-MM-DD') AS day FROM daily_sales WHERE sku = $1 AND store_id = $2`,
      [sku, storeId],
    );
    return r[0]?.day ?? undefined;
  }

  /** `dailyHistoryOfPairs` as one row per day (what `dailyDemand` gives for each pair). */
  async dailyDemandOfPairs(
    pairs: readonly SkuStore[],
    from: string,
    to: string,
  ): Promise<Map<string, DailyDemandRow[]>> {
    const histories = await this.dailyHistoryOfPairs(pairs, from, to);
    return new Map([...histories].map(([key, h]) => [key, historyRows(h)]));
  }

  /**
   * Daily demand of many pairs at once, for a computation: from `from` (or the pair's first sale, if later) to `to`,
   * zero days filled in. Pairs without any sale get nothing. Keyed by `pairKey`.
   *
   * One query, one row per pair: its first sale, and its sales and stock-out days in the window as arrays of day
   * offsets (read by index); the days are filled in here. Much less for the database to send and for the driver to
   * parse than a row per pair and day.
   */
  async dailyHistoryOfPairs(pairs: readonly SkuStore[], from: string, to: string): Promise<Map<string, DailyHistory>> {
    const rows: {
      sku: string;
      store_id: string;
      first: string;
      sale_days: number[] | null;
      sale_units: number[] | null;
      out_days: number[] | null;
    }[] = await this.dataSource.query(
      `WITH p AS (SELECT * FROM unnest($1::text[], $2::text[]) AS p(sku, store_id))
       SELECT p.sku, p.store_id, to_char(x.first, 'YYYY-MM-DD') AS first, s.days AS sale_days,
              s.units AS sale_units, k.days AS out_days
         FROM p
         CROSS JOIN LATERAL (
           SELECT min(day) AS first FROM daily_sales WHERE sku = p.sku AND store_id = p.store_id
         ) x
         CROSS JOIN LATERAL (
           SELECT array_agg(day - $3::date) AS days, array_agg((units_sold - units_returned)::float8) AS units
             FROM daily_sales
            WHERE sku = p.sku AND store_id = p.store_id AND day BETWEEN $3::date AND $4::date
         ) s
         CROSS JOIN LATERAL (
           SELECT array_agg(day - $3::date) AS days FROM daily_stock
            WHERE sku = p.sku AND store_id = p.store_id AND day BETWEEN $3::date AND $4::date AND min_on_hand <= 0
         ) k
        WHERE x.first IS NOT NULL AND x.first <= $4::date`,
      [pairs.map((p) => p.sku), pairs.map((p) => p.storeId), from, to],
    );
    const dayOf = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
    const fromDay = dayOf(from);
    const length = dayOf(to) - fromDay + 1;
    const out = new Map<string, DailyHistory>();
    for (const r of rows) {
      const key = pairKey({ sku: r.sku, storeId: r.store_id });
      if (out.has(key)) continue;
      const offset = Math.max(0, dayOf(r.first) - fromDay);
      const units = new Array<number>(length - offset).fill(0);
      const saleDays = r.sale_days ?? [];
      const saleUnits = r.sale_units ?? [];
      for (let i = 0; i < saleDays.length; i++) units[saleDays[i] - offset] = Number(saleUnits[i]);
      const censoredDays = (r.out_days ?? []).filter((d) => d >= offset).map((d) => d - offset);
      out.set(key, { start: offset > 0 ? r.first : from, units, censoredDays: censoredDays.sort((a, b) => a - b) });
    }
    return out;
  }

  async stockPositionsOf(pairs: readonly SkuStore[]): Promise<Map<string, StockPosition>> {
    const rows: { sku: string; store_id: string; on_hand: string; on_order: string; observed_at: Date }[] =
      await this.dataSource.query(
        `SELECT k.sku, k.store_id, k.on_hand, k.on_order, k.observed_at
           FROM unnest($1::text[], $2::text[]) AS p(sku, store_id)
           JOIN stock_position k ON k.sku = p.sku AND k.store_id = p.store_id`,
        [pairs.map((p) => p.sku), pairs.map((p) => p.storeId)],
      );
    return new Map(
      rows.map((r) => [
        pairKey({ sku: r.sku, storeId: r.store_id }),
        { onHand: Number(r.on_hand), onOrder: Number(r.on_order), observedAt: r.observed_at },
      ]),
    );
  }

  async items(skus: readonly string[]): Promise<Map<string, ItemInfo>> {
    const rows: {
      sku: string;
      title: string;
      categories: string[];
      price_minor: string | null;
      currency: string | null;
      available: boolean;
    }[] = await this.dataSource.query(`SELECT * FROM item WHERE sku = ANY($1::text[])`, [skus]);
    return new Map(
      rows.map((i) => [
        i.sku,
        {
          sku: i.sku,
          title: i.title,
          categories: i.categories,
          priceMinor: i.price_minor === null ? undefined : Number(i.price_minor),
          currency: i.currency ?? undefined,
          available: i.available,
        },
      ]),
    );
  }

  /** Whether the DSS has heard of the SKU at all (catalogue, sales or stock, at any store). */
  async knowsSku(sku: string): Promise<boolean> {
    const r: { known: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM item WHERE sku = $1)
           OR EXISTS (SELECT 1 FROM daily_sales WHERE sku = $1)
           OR EXISTS (SELECT 1 FROM stock_position WHERE sku = $1) AS known`,
      [sku],
    );
    return r[0]?.known ?? false;
  }

  /**
   * The SKU × store pairs in a scope that have any sales or stock. The distinct pairs of daily_sales come from a
   * skip scan of its primary key (one index probe per pair, recursively) instead of reading every row of it.
   */
  async pairsInScope(scope: {
    storeId?: string;
    category?: string;
    skus?: string[];
  }): Promise<{ sku: string; storeId: string }[]> {
    const rows: { sku: string; store_id: string }[] = await this.dataSource.query(
      `WITH RECURSIVE sold AS (
          (SELECT sku, store_id FROM daily_sales ORDER BY sku, store_id LIMIT 1)
          UNION ALL
          SELECT n.sku, n.store_id FROM sold CROSS JOIN LATERAL (
            SELECT sku, store_id FROM daily_sales
             WHERE (sku, store_id) > (sold.sku, sold.store_id)
             ORDER BY sku, store_id LIMIT 1
          ) n
        )
        SELECT DISTINCT p.sku, p.store_id FROM (
          SELECT sku, store_id FROM sold UNION SELECT sku, store_id FROM stock_position
        ) p
        LEFT JOIN item i ON i.sku = p.sku
        WHERE ($1::text IS NULL OR p.store_id = $1)
          AND ($2::text IS NULL OR $2 = ANY(i.categories))
          AND (cardinality($3::text[]) = 0 OR p.sku = ANY($3::text[]))
        ORDER BY p.store_id, p.sku`,
      [scope.storeId || null, scope.category || null, scope.skus ?? []],
    );
    return rows.map((r) => ({ sku: r.sku, storeId: r.store_id }));
  }
}

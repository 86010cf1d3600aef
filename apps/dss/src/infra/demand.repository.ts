import { Injectable } from '@nestjs/common';
import { ItemUpsertedV1, SalesLineV1, StockPositionV1 } from '@app/contracts/events';
import { DataSource, EntityManager } from 'typeorm';

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

/** Every day from `from` to `to` (inclusive), `YYYY-MM-DD`. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  for (let day = from; day <= to; day = d.toISOString().slice(0, 10)) {
    out.push(day);
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

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

  /**
   * Daily demand of many pairs at once, for a computation: from `from` (or the pair's first sale, if later) to `to`,
   * zero days filled in. Pairs without any sale get no rows. Keyed by `pairKey`.
   *
   * One query reads only the rows that exist (each pair's first sale, its sales and its stock-out days in the
   * window, by index) and the days are filled in here: the same rows as `dailyDemand` per pair, without a
   * generated row per pair and day for the database to join.
   */
  async dailyDemandOfPairs(
    pairs: readonly SkuStore[],
    from: string,
    to: string,
  ): Promise<Map<string, DailyDemandRow[]>> {
    const rows: { kind: 'first' | 'sale' | 'out'; sku: string; store_id: string; day: string; units: string }[] =
      await this.dataSource.query(
        `WITH p AS (SELECT * FROM unnest($1::text[], $2::text[]) AS p(sku, store_id))
         SELECT 'first' AS kind, p.sku, p.store_id, to_char(x.day, 'YYYY-MM-DD') AS day, 0::bigint AS units
           FROM p CROSS JOIN LATERAL (
             SELECT min(s.day) AS day FROM daily_sales s WHERE s.sku = p.sku AND s.store_id = p.store_id
           ) x
          WHERE x.day IS NOT NULL
         UNION ALL
         SELECT 'sale', p.sku, p.store_id, to_char(s.day, 'YYYY-MM-DD'), s.units_sold - s.units_returned
           FROM p CROSS JOIN LATERAL (
             SELECT day, units_sold, units_returned FROM daily_sales
              WHERE sku = p.sku AND store_id = p.store_id AND day BETWEEN $3::date AND $4::date
           ) s
         UNION ALL
         SELECT 'out', p.sku, p.store_id, to_char(k.day, 'YYYY-MM-DD'), 0
           FROM p CROSS JOIN LATERAL (
             SELECT day FROM daily_stock
              WHERE sku = p.sku AND store_id = p.store_id AND day BETWEEN $3::date AND $4::date
                AND min_on_hand <= 0
           ) k`,
        [pairs.map((p) => p.sku), pairs.map((p) => p.storeId), from, to],
      );
    const days = daysBetween(from, to);
    const index = new Map(days.map((d, i) => [d, i]));
    const firsts = new Map<string, string>();
    const units = new Map<string, Map<string, number>>();
    const outs = new Map<string, Set<string>>();
    for (const r of rows) {
      const key = pairKey({ sku: r.sku, storeId: r.store_id });
      if (r.kind === 'first') firsts.set(key, r.day);
      else if (r.kind === 'sale') {
        let m = units.get(key);
        if (!m) units.set(key, (m = new Map()));
        m.set(r.day, Number(r.units));
      } else {
        let set = outs.get(key);
        if (!set) outs.set(key, (set = new Set()));
        set.add(r.day);
      }
    }
    const out = new Map<string, DailyDemandRow[]>();
    for (const pair of pairs) {
      const key = pairKey(pair);
      const first = firsts.get(key);
      if (first === undefined || first > to || out.has(key)) continue;
      const sales = units.get(key);
      const stockOuts = outs.get(key);
      const start = first > from ? (index.get(first) ?? 0) : 0;
      out.set(
        key,
        days.slice(start).map((day) => ({
          day,
          units: sales?.get(day) ?? 0,
          censored: stockOuts?.has(day) ?? false,
        })),
      );
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

  /** The SKU × store pairs in a scope that have any sales or stock. */
  async pairsInScope(scope: {
    storeId?: string;
    category?: string;
    skus?: string[];
  }): Promise<{ sku: string; storeId: string }[]> {
    const rows: { sku: string; store_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT p.sku, p.store_id FROM (
          SELECT sku, store_id FROM daily_sales UNION SELECT sku, store_id FROM stock_position
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

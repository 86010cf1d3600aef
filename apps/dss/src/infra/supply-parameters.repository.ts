import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SupplyParameters } from '../domain/supply-parameters';

interface Row {
  sku: string;
  store_id: string;
  lead_time_days: number;
  lead_time_std_days: number;
  unit_cost_minor: string;
  order_cost_minor: string;
  holding_cost_rate: number | null;
  currency: string;
  min_order_qty: string;
  pack_size: string;
  service_level: number;
  review_period_days: number;
  updated_at: Date;
  updated_by: string;
}

const toDomain = (r: Row): SupplyParameters => ({
  sku: r.sku,
  storeId: r.store_id,
  leadTimeDays: r.lead_time_days,
  leadTimeStdDays: r.lead_time_std_days,
  unitCostMinor: Number(r.unit_cost_minor),
  orderCostMinor: Number(r.order_cost_minor),
  holdingCostRate: r.holding_cost_rate ?? undefined,
  currency: r.currency,
  minOrderQty: Number(r.min_order_qty),
  packSize: Number(r.pack_size),
  serviceLevel: r.service_level,
  reviewPeriodDays: r.review_period_days,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

@Injectable()
export class SupplyParametersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Upserts; an older update (by updatedAt) never overwrites a newer one. */
  async upsert(m: EntityManager | DataSource, p: SupplyParameters): Promise<void> {
    await m.query(
      `INSERT INTO supply_parameters (sku, store_id, lead_time_days, lead_time_std_days, unit_cost_minor,
          order_cost_minor, holding_cost_rate, currency, min_order_qty, pack_size, service_level,
          review_period_days, updated_at, updated_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
       ON CONFLICT (sku, store_id) DO UPDATE SET
         lead_time_days = EXCLUDED.lead_time_days, lead_time_std_days = EXCLUDED.lead_time_std_days,
         unit_cost_minor = EXCLUDED.unit_cost_minor, order_cost_minor = EXCLUDED.order_cost_minor,
         holding_cost_rate = EXCLUDED.holding_cost_rate, currency = EXCLUDED.currency,
         min_order_qty = EXCLUDED.min_order_qty, pack_size = EXCLUDED.pack_size,
         service_level = EXCLUDED.service_level, review_period_days = EXCLUDED.review_period_days,
         updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       WHERE supply_parameters.updated_at <= EXCLUDED.updated_at`,
      [
        p.sku,
        p.storeId,
        p.leadTimeDays,
        p.leadTimeStdDays,
        p.unitCostMinor,
        p.orderCostMinor,
        p.holdingCostRate ?? null,
        p.currency,
        p.minOrderQty,
        p.packSize,
        p.serviceLevel,
        p.reviewPeriodDays,
        p.updatedAt,
        p.updatedBy,
      ],
    );
  }

  /** The parameters in force for each SKU at a store: the store's own, else the all-stores row. */
  async forStore(skus: readonly string[], storeId: string): Promise<Map<string, SupplyParameters>> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT DISTINCT ON (sku) * FROM supply_parameters
        WHERE sku = ANY($1::text[]) AND store_id IN ($2, '')
        ORDER BY sku, (store_id = '') ASC`,
      [skus, storeId],
    );
    return new Map(rows.map((r) => [r.sku, toDomain(r)]));
  }
}

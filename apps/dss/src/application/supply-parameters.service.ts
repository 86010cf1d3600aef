import { Injectable } from '@nestjs/common';
import { FieldViolation } from '@app/platform/errors';
import { DataSource } from 'typeorm';
import { SupplyParameters } from '../domain/supply-parameters';
import { SupplyParametersRepository } from '../infra/supply-parameters.repository';

/** Checks one record; returns the problems with field paths relative to `prefix`. */
export function supplyParameterViolations(p: SupplyParameters, prefix: string): FieldViolation[] {
  const v: FieldViolation[] = [];
  const bad = (field: string, message: string) => v.push({ field: `${prefix}.${field}`, message });
  if (!p.sku.trim()) bad('sku', 'is required');
  if (!(p.leadTimeDays > 0 && p.leadTimeDays <= 365)) bad('lead_time_days', 'must be > 0 and ≤ 365');
  if (!(p.leadTimeStdDays >= 0)) bad('lead_time_std_days', 'must be ≥ 0');
  if (!(p.unitCostMinor >= 0)) bad('unit_cost', 'must be ≥ 0');
  if (!(p.orderCostMinor >= 0)) bad('order_cost', 'must be ≥ 0');
  if (!/^[A-Z]{3}$/.test(p.currency)) bad('unit_cost.currency_code', 'must be an ISO-4217 code such as EUR');
  if (!(Number.isInteger(p.minOrderQty) && p.minOrderQty >= 0)) bad('min_order_quantity', 'must be a whole number ≥ 0');
  if (!(Number.isInteger(p.packSize) && p.packSize >= 1)) bad('pack_size', 'must be a whole number ≥ 1');
  if (!(p.serviceLevel > 0 && p.serviceLevel < 1)) bad('target_service_level', 'must be between 0 and 1 (exclusive)');
  if (!(Number.isInteger(p.reviewPeriodDays) && p.reviewPeriodDays >= 0)) bad('review_period_days', 'must be ≥ 0');
  return v;
}

@Injectable()
export class SupplyParametersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: SupplyParametersRepository,
  ) {}

  /** Stores the valid records and reports the invalid ones; one bad record never blocks the rest. */
  async upsert(records: SupplyParameters[]): Promise<{ upserted: number; errors: FieldViolation[] }> {
    const errors: FieldViolation[] = [];
    const valid = records.filter((p, i) => {
      const v = supplyParameterViolations(p, `parameters[${i}]`);
      errors.push(...v);
      return v.length === 0;
    });
    await this.dataSource.transaction(async (m) => {
      for (const p of valid) await this.repo.upsert(m, p);
    });
    return { upserted: valid.length, errors };
  }

  async get(skus: string[], storeId: string): Promise<{ found: SupplyParameters[]; missing: string[] }> {
    const map = await this.repo.forStore(skus, storeId);
    return { found: [...map.values()], missing: skus.filter((s) => !map.has(s)) };
  }
}

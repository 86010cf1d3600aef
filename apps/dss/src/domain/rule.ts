/**
 * Planners' rules as the DSS stores them (the API's shape). The inventory library evaluates them;
 * `application/rule-mapping.ts` translates.
 */
export interface RuleScope {
  storeId?: string;
  category?: string;
  /** Empty = every SKU (within the store and category, when given). */
  skus: string[];
}

export type RuleDefinition =
  | { type: 'discontinued' }
  | { type: 'order_cap'; maxUnits: number }
  | { type: 'stock_floor'; minUnits: number }
  | { type: 'demand_uplift'; startDate: string; endDate: string; factor: number }
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  | { type: 'supplier_order_days'; days: number[] };

export interface Rule {
  ruleId: string;
  revision: number;
  name: string;
  scope: RuleScope;
  definition: RuleDefinition;
  enabled: boolean;
  changedBy: string;
  changedAt: Date;
  changeReason: string;
}

export type RuleAction = 'created' | 'updated' | 'deleted';

export interface RuleHistoryEntry {
  revision: number;
  action: RuleAction;
  snapshot: Rule;
  actor: string;
  at: Date;
  reason: string;
}

/** Problems with a definition, as field → message; empty when it is valid. */
export function validateRule(name: string, scope: RuleScope, d: RuleDefinition): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (!name.trim()) problems.push({ field: 'rule.name', message: 'is required' });
  if (!scope.storeId && !scope.category && scope.skus.length === 0) {
    // A rule over everything is allowed only for order days (a supplier calendar applies broadly).
    if (d.type !== 'supplier_order_days' && d.type !== 'demand_uplift') {
      problems.push({ field: 'rule.scope', message: 'give a store, a category or SKUs' });
    }
  }
  switch (d.type) {
    case 'order_cap':
      if (!Number.isInteger(d.maxUnits) || d.maxUnits < 0)
        problems.push({ field: 'rule.order_cap.max_units', message: 'must be a whole number ≥ 0' });
      break;
    case 'stock_floor':
      if (!Number.isInteger(d.minUnits) || d.minUnits < 0)
        problems.push({ field: 'rule.stock_floor.min_units', message: 'must be a whole number ≥ 0' });
      break;
    case 'demand_uplift':
      if (!(d.factor > 0 && d.factor <= 100))
        problems.push({ field: 'rule.demand_uplift.factor', message: 'must be > 0 and ≤ 100' });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d.startDate))
        problems.push({ field: 'rule.demand_uplift.start_date', message: 'is required' });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d.endDate))
        problems.push({ field: 'rule.demand_uplift.end_date', message: 'is required' });
      else if (d.endDate < d.startDate)
        problems.push({ field: 'rule.demand_uplift.end_date', message: 'must not be before start_date' });
      break;
    case 'supplier_order_days':
      if (d.days.length === 0 || d.days.some((x) => !Number.isInteger(x) || x < 1 || x > 7)) {
        problems.push({ field: 'rule.supplier_order_days.days', message: 'give weekdays from MONDAY to SUNDAY' });
      }
      break;
    case 'discontinued':
      break;
  }
  return problems;
}

export function ruleCovers(rule: Rule, sku: string, storeId: string, categories: readonly string[]): boolean {
  const s = rule.scope;
  return (
    (!s.storeId || s.storeId === storeId) &&
    (!s.category || categories.includes(s.category)) &&
    (s.skus.length === 0 || s.skus.includes(sku))
  );
}

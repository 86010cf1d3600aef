import { PlanningRule, PlanningRuleType, RuleContext } from '@app/inventory';
import { Rule, RuleDefinition, ruleCovers } from '../domain/rule';

/**
 * Translation from the planners' rules as the DSS stores them to the inventory library's `PlanningRule`.
 *
 * Coverage is decided here with `ruleCovers` (an item may sit in several categories, which the library's single
 * `category` cannot express); the scopes handed to the library only keep its "most specific rule wins" order
 * (SKU over category over store over everything), with values that match the context built alongside.
 */

/** Stand-in category for "one of the item's categories matched" (coverage is already decided). */
const MATCHED_CATEGORY = '(matched)';

export interface MappedRules {
  rules: PlanningRule[];
  context: RuleContext;
}

export interface RuleItem {
  sku: string;
  storeId: string;
  categories: readonly string[];
  /** Today, `YYYY-MM-DD`. */
  date: string;
}

/** ISO weekday (1 = Monday … 7 = Sunday) → the library's (0 = Sunday … 6 = Saturday). */
export function isoToWeekday(isoDay: number): number {
  return isoDay % 7;
}

/** The library's rule for one DSS rule, with the scope already narrowed to the item. */
export function toPlanningRule(rule: Rule, item: Pick<RuleItem, 'sku' | 'storeId'>): PlanningRule {
  const base = {
    id: rule.ruleId,
    name: rule.name,
    scope: {
      ...(rule.scope.skus.length > 0 ? { sku: item.sku } : {}),
      ...(rule.scope.category ? { category: MATCHED_CATEGORY } : {}),
      ...(rule.scope.storeId ? { store: item.storeId } : {}),
    },
  };
  const d: RuleDefinition = rule.definition;
  switch (d.type) {
    case 'discontinued':
      return { ...base, type: 'discontinued' };
    case 'order_cap':
      return { ...base, type: 'order_quantity_limit', max: d.maxUnits };
    case 'stock_floor':
      return { ...base, type: 'stock_level_limit', min: d.minUnits };
    case 'demand_uplift':
      // No validFrom/validTo: a promotion that starts next week must lift this week's order already.
      return { ...base, type: 'demand_event', from: d.startDate, to: d.endDate, multiplier: d.factor };
    case 'supplier_order_days':
      return { ...base, type: 'order_days', weekdays: [...new Set(d.days.map(isoToWeekday))].sort() };
  }
}

/** The enabled rules that cover the item, translated, with the context to evaluate them in. */
export function planningRulesFor(rules: readonly Rule[], item: RuleItem): MappedRules {
  const covering = rules.filter((r) => r.enabled && ruleCovers(r, item.sku, item.storeId, item.categories));
  return {
    rules: covering.map((r) => toPlanningRule(r, item)),
    context: { sku: item.sku, store: item.storeId, category: MATCHED_CATEGORY, date: item.date },
  };
}

/** Reason code of a fired rule, in the DSS's own vocabulary (`RULE.ORDER_CAP`, …). */
export const RULE_REASON_CODES: Readonly<Record<PlanningRuleType, string>> = {
  discontinued: 'RULE.DISCONTINUED',
  order_quantity_limit: 'RULE.ORDER_CAP',
  stock_level_limit: 'RULE.STOCK_FLOOR',
  demand_event: 'RULE.DEMAND_UPLIFT',
  order_days: 'RULE.SUPPLIER_ORDER_DAYS',
};

function specificity(r: PlanningRule): number {
  return (r.scope.sku ? 4 : 0) + (r.scope.category ? 2 : 0) + (r.scope.store ? 1 : 0);
}

/**
 * The first day from `today` on which every most specific order-day rule lets orders go out (the library's own
 * precedence); `today` when no such rule applies or none leaves a weekday.
 */
export function nextOrderDate(rules: readonly PlanningRule[], today: string): string {
  const orderDays = rules.filter((r) => r.type === 'order_days');
  if (orderDays.length === 0) return today;
  const top = Math.max(...orderDays.map(specificity));
  const allowed = orderDays
    .filter((r) => specificity(r) === top)
    .reduce<number[] | undefined>(
      (acc, r) => (acc ? acc.filter((d) => r.weekdays.includes(d)) : [...r.weekdays]),
      undefined,
    );
  if (!allowed || allowed.length === 0) return today;
  const d = new Date(`${today}T00:00:00Z`);
  for (let i = 0; i < 7 && !allowed.includes(d.getUTCDay()); i++) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

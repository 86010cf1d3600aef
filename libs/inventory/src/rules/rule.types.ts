/**
 * Planner rules as plain data. Storage, history and the API live in the DSS service; this library only evaluates
 * them. Dates are ISO days (`YYYY-MM-DD`), inclusive.
 */

/** Which items a rule covers: every field given must match (no field = every item). */
export interface RuleScope {
  sku?: string;
  category?: string;
  store?: string;
}

interface RuleBase {
  id: string;
  /** Short name shown in reasons, e.g. "Summer promo 2024". */
  name: string;
  scope: RuleScope;
  /** The rule is in force between these days (inclusive); open-ended when missing. */
  validFrom?: string;
  validTo?: string;
}

/** The item is no longer sold: never reorder it; its stock is excess. */
export interface DiscontinuedRule extends RuleBase {
  type: 'discontinued';
}

/** Minimum and/or maximum units per order (applies only when an order is placed). */
export interface OrderQuantityLimitRule extends RuleBase {
  type: 'order_quantity_limit';
  min?: number;
  max?: number;
}

/** Floor and/or cap on the stock level: the order-up-to level is at least `min`, the position after ordering at most `max`. */
export interface StockLevelLimitRule extends RuleBase {
  type: 'stock_level_limit';
  min?: number;
  max?: number;
}

/** A promotion or event that multiplies daily demand between `from` and `to` (inclusive). */
export interface DemandEventRule extends RuleBase {
  type: 'demand_event';
  from: string;
  to: string;
  multiplier: number;
}

/**
 * The supplier takes orders only on these weekdays (0 = Sunday … 6 = Saturday). On other days nothing is ordered;
 * on an order day the review period becomes the days until the next order day.
 */
export interface OrderDaysRule extends RuleBase {
  type: 'order_days';
  weekdays: number[];
}

export type PlanningRule =
  DiscontinuedRule | OrderQuantityLimitRule | StockLevelLimitRule | DemandEventRule | OrderDaysRule;
export type PlanningRuleType = PlanningRule['type'];

/** The item and day a suggestion is computed for. */
export interface RuleContext {
  sku: string;
  category?: string;
  store?: string;
  /** Today, `YYYY-MM-DD`. */
  date: string;
}

export interface FiredRule {
  ruleId: string;
  name: string;
  type: PlanningRuleType;
  /** What the rule did, in plain language. */
  effect: string;
}

import { fromEpochDay, toEpochDay, weekdayOf } from '@app/forecasting';
import { suggestReplenishment } from '../policy/replenishment.policy';
import { PolicyConstraints, ReplenishmentInput, ReplenishmentSuggestion } from '../policy/replenishment.types';
import { formatRate } from '../policy/reason.format';
import { FiredRule, PlanningRule, RuleContext, RuleScope } from './rule.types';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export class RuleValidationError extends Error {
  readonly code = 'INVENTORY.INVALID_RULE';
}

/** Checks a rule's parameters; returns the problems (empty when valid). Useful before storing a rule. */
export function validateRule(rule: PlanningRule): string[] {
  const problems: string[] = [];
  const isDay = (d: string | undefined): boolean => d === undefined || /^\d{4}-\d{2}-\d{2}$/.test(d);
  if (!rule.id) problems.push('id is required');
  if (!rule.name) problems.push('name is required');
  if (!isDay(rule.validFrom) || !isDay(rule.validTo)) problems.push('validFrom/validTo must be YYYY-MM-DD');
  if (rule.validFrom && rule.validTo && rule.validFrom > rule.validTo) problems.push('validFrom is after validTo');
  switch (rule.type) {
    case 'order_quantity_limit':
    case 'stock_level_limit':
      if (rule.min === undefined && rule.max === undefined) problems.push('min or max is required');
      if ((rule.min ?? 0) < 0 || (rule.max ?? 0) < 0) problems.push('min and max must be non-negative');
      if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) problems.push('min is above max');
      break;
    case 'demand_event':
      if (!isDay(rule.from) || !isDay(rule.to) || rule.from > rule.to)
        problems.push('from/to must be YYYY-MM-DD with from ≤ to');
      if (!(rule.multiplier >= 0) || !Number.isFinite(rule.multiplier))
        problems.push('multiplier must be a non-negative number');
      break;
    case 'order_days':
      if (rule.weekdays.length === 0 || rule.weekdays.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
        problems.push('weekdays must be a non-empty list of 0 (Sunday) … 6 (Saturday)');
      }
      break;
    case 'discontinued':
      break;
  }
  return problems;
}

function inScope(scope: RuleScope, ctx: RuleContext): boolean {
  return (
    (scope.sku === undefined || scope.sku === ctx.sku) &&
    (scope.category === undefined || scope.category === ctx.category) &&
    (scope.store === undefined || scope.store === ctx.store)
  );
}

/** sku > category > store > everything; a more specific rule overrides a broader one of the same type. */
function specificity(scope: RuleScope): number {
  return (
    (scope.sku !== undefined ? 4 : 0) + (scope.category !== undefined ? 2 : 0) + (scope.store !== undefined ? 1 : 0)
  );
}

/** Rules that cover the item and are in force on the day. */
export function applicableRules(rules: readonly PlanningRule[], ctx: RuleContext): PlanningRule[] {
  return rules.filter(
    (r) =>
      inScope(r.scope, ctx) &&
      (r.validFrom === undefined || r.validFrom <= ctx.date) &&
      (r.validTo === undefined || ctx.date <= r.validTo),
  );
}

/** The most specific rules of a type; several at the same specificity all count (the strictest limit wins). */
function mostSpecific<T extends PlanningRule>(rules: T[]): T[] {
  if (rules.length === 0) return [];
  const top = Math.max(...rules.map((r) => specificity(r.scope)));
  return rules.filter((r) => specificity(r.scope) === top);
}

const quote = (rule: PlanningRule): string => `rule "${rule.name}"`;

export interface RuledSuggestion {
  suggestion: ReplenishmentSuggestion;
  /** Rules that changed the suggestion, with what they did. */
  firedRules: FiredRule[];
  /** Rules that covered the item on the day, whether or not they changed anything. */
  consideredRuleIds: string[];
}

/**
 * Applies planner rules around the replenishment math, purely:
 * 1. demand events multiply the daily demand on the days they overlap the protection period;
 * 2. supplier order days: on a non-order day nothing is ordered; on an order day the policy becomes a periodic
 *    review whose period is the number of days until the next order day;
 * 3. stock-level floors and caps, then order-quantity limits, then discontinuation, inside the policy.
 * For limits of the same type the most specific scope wins (sku over category over store over all); equally specific
 * ones combine to the strictest. Every rule that changes the result is named in the reasons and in `firedRules`.
 */
export function suggestWithRules(
  input: ReplenishmentInput,
  rules: readonly PlanningRule[],
  ctx: RuleContext,
): RuledSuggestion {
  for (const rule of rules) {
    const problems = validateRule(rule);
    if (problems.length > 0) throw new RuleValidationError(`rule ${rule.id || '?'}: ${problems.join('; ')}`);
  }
  const active = applicableRules(rules, ctx);
  const today = toEpochDay(ctx.date);
  const constraints: PolicyConstraints = { ...input.constraints, demandNotes: [], supplyNotes: [], blocks: [] };
  const labelToRule = new Map<string, PlanningRule>();
  const fired: FiredRule[] = [];
  let adjusted: ReplenishmentInput = { ...input, supply: { ...input.supply }, demand: { ...input.demand } };

  // 2. Order days (first, because they set the review period that the demand window depends on).
  const orderDays = mostSpecific(active.filter((r) => r.type === 'order_days'));
  if (orderDays.length > 0) {
    const allowed = new Set(
      orderDays.reduce<number[]>(
        (acc, r) => (acc.length === 0 ? [...r.weekdays] : acc.filter((d) => r.weekdays.includes(d))),
        [],
      ),
    );
    const rule = orderDays[0];
    const names = [...allowed]
      .sort()
      .map((d) => WEEKDAYS[d])
      .join(', ');
    let gap = 1;
    while (gap <= 7 && !allowed.has(weekdayOf(today + gap))) gap++;
    if (allowed.size === 0) {
      constraints.blocks!.push({ label: quote(rule), why: 'the order-day rules leave no weekday' });
      labelToRule.set(quote(rule), rule);
    } else if (!allowed.has(weekdayOf(today))) {
      const next = fromEpochDay(today + gap);
      constraints.blocks!.push({
        label: quote(rule),
        why: `the supplier takes orders on ${names}; next order day ${WEEKDAYS[weekdayOf(today + gap)]} ${next}`,
      });
      labelToRule.set(quote(rule), rule);
    } else {
      adjusted = { ...adjusted, policy: 'periodic', supply: { ...adjusted.supply, reviewPeriodDays: gap } };
      const effect = `orders go out on ${names}, so this order must last ${gap} day${gap === 1 ? '' : 's'} until the next order day`;
      constraints.supplyNotes!.push(`${capitalise(quote(rule))}: ${effect}.`);
      fired.push({ ruleId: rule.id, name: rule.name, type: rule.type, effect });
    }
  }

  // 1. Demand events over the days that matter for this decision.
  const events = active.filter((r) => r.type === 'demand_event');
  if (events.length > 0) {
    const R = adjusted.supply.reviewPeriodDays ?? 7;
    const window =
      Math.ceil(
        adjusted.supply.leadTimeDays +
          4 * (adjusted.supply.leadTimeSdDays ?? 0) +
          (adjusted.policy === 'periodic' ? R : 0),
      ) + 1;
    const multipliers = Array.from({ length: window }, (_, t) => adjusted.demand.dailyMultipliers?.[t] ?? 1);
    const protection = adjusted.supply.leadTimeDays + (adjusted.policy === 'periodic' ? R : 0);
    for (const rule of events) {
      const from = toEpochDay(rule.from) - today;
      const to = toEpochDay(rule.to) - today;
      let days = 0;
      for (let t = Math.max(0, from); t <= Math.min(window - 1, to); t++) {
        multipliers[t] *= rule.multiplier;
        if (t < Math.ceil(protection)) days++;
      }
      if (days > 0) {
        const effect = `demand ×${formatRate(rule.multiplier)} from ${rule.from} to ${rule.to}, ${days} of the next ${formatRate(protection)} days`;
        constraints.demandNotes!.push(`${capitalise(quote(rule))}: ${effect}.`);
        fired.push({ ruleId: rule.id, name: rule.name, type: rule.type, effect });
      }
    }
    adjusted = { ...adjusted, demand: { ...adjusted.demand, dailyMultipliers: multipliers } };
  }

  // 3. Limits and discontinuation, evaluated inside the policy.
  const strictest = (type: 'order_quantity_limit' | 'stock_level_limit', bound: 'min' | 'max') => {
    const candidates = mostSpecific(active.filter((r) => r.type === type)).filter(
      (r) => (r as { min?: number; max?: number })[bound] !== undefined,
    );
    if (candidates.length === 0) return undefined;
    const pick = candidates.reduce((best, r) => {
      const v = (r as { min?: number; max?: number })[bound]!;
      const b = (best as { min?: number; max?: number })[bound]!;
      return bound === 'min' ? (v > b ? r : best) : v < b ? r : best;
    });
    labelToRule.set(quote(pick), pick);
    return { value: (pick as { min?: number; max?: number })[bound]!, label: quote(pick) };
  };
  constraints.minStockLevel = strictest('stock_level_limit', 'min') ?? constraints.minStockLevel;
  constraints.maxStockLevel = strictest('stock_level_limit', 'max') ?? constraints.maxStockLevel;
  constraints.minOrderQuantity = strictest('order_quantity_limit', 'min') ?? constraints.minOrderQuantity;
  constraints.maxOrderQuantity = strictest('order_quantity_limit', 'max') ?? constraints.maxOrderQuantity;
  const discontinued = active.find((r) => r.type === 'discontinued');
  if (discontinued) {
    constraints.discontinued = { label: quote(discontinued) };
    labelToRule.set(quote(discontinued), discontinued);
  }

  const suggestion = suggestReplenishment({ ...adjusted, constraints });
  for (const a of suggestion.constraintsApplied) {
    const rule = labelToRule.get(a.label);
    if (rule) fired.push({ ruleId: rule.id, name: rule.name, type: rule.type, effect: a.effect });
  }
  return { suggestion, firedRules: fired, consideredRuleIds: active.map((r) => r.id) };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

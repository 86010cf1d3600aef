import { DemandForecast } from '@app/forecasting';
import { demandFromForecast, FiredRule, PolicyReasonCode, ReplenishmentInput, suggestWithRules } from '@app/inventory';
import { fromMinor, toMinor } from '../domain/money';
import { Rule } from '../domain/rule';
import { Suggestion, SuggestionReason } from '../domain/suggestion';
import { SupplyParameters } from '../domain/supply-parameters';
import { nextOrderDate, planningRulesFor, RULE_REASON_CODES } from './rule-mapping';

/**
 * Turns a forecast, the supply parameters, the stock position and the planners' rules into one stock-level
 * suggestion with reasons a supply manager can read. Pure: the computation service loads the inputs and stores
 * the result.
 */

/** What the DSS assumes for an item without supply parameters (from the configuration). */
export interface PlanningDefaults {
  leadTimeDays: number;
  serviceLevel: number;
  reviewPeriodDays: number;
  holdingCostRate: number;
  currency: string;
}

export interface PlanningInput {
  suggestionId: string;
  sku: string;
  storeId: string;
  /** Today, `YYYY-MM-DD`. */
  today: string;
  computedAt: Date;
  computationId?: string;
  forecast: DemandForecast;
  forecastId?: string;
  item?: { title?: string; categories: readonly string[]; currency?: string };
  supply?: SupplyParameters;
  stock?: { onHand: number; onOrder: number; observedAt: Date };
  /** Every enabled rule; the planner keeps those that cover the item. */
  rules: readonly Rule[];
  defaults: PlanningDefaults;
}

/** A stock count older than this is named in the reasons. */
const STALE_STOCK_DAYS = 7;

/** Forecast horizon (days) a suggestion needs: lead time (with its spread) plus the review period, with margin. */
export function planningHorizonDays(supply: SupplyParameters | undefined, defaults: PlanningDefaults): number {
  const lead = supply?.leadTimeDays ?? defaults.leadTimeDays;
  const spread = supply?.leadTimeStdDays ?? 0;
  // Order-day rules can stretch the review period to a week, whatever the parameters say.
  const review = Math.max(supply?.reviewPeriodDays || defaults.reviewPeriodDays, 7);
  return Math.max(28, Math.ceil(lead + 4 * spread + review) + 1);
}

/** The DSS's reason code for a library code (the API's codes predate the library's; most are the same). */
function policyCode(code: PolicyReasonCode): string {
  return code === 'POLICY.ORDER' ? 'POLICY.BELOW_REORDER_POINT' : code;
}

function ruleReason(text: string, fired: readonly FiredRule[]): SuggestionReason | undefined {
  const m = /^Rule "(.*?)":/.exec(text);
  if (!m) return undefined;
  const rule = fired.find((r) => r.name === m[1]);
  return rule ? { code: RULE_REASON_CODES[rule.type], text, ruleId: rule.ruleId } : { code: 'RULE.APPLIED', text };
}

const percent = (p: number) => `${Math.round(p * 1000) / 10}%`;
const days = (d: number) => `${Math.round(d * 10) / 10} day${d === 1 ? '' : 's'}`;

export function planSuggestion(input: PlanningInput): Suggestion {
  const { supply, stock, defaults, forecast } = input;
  const reasons: SuggestionReason[] = [];

  const leadTimeDays = supply?.leadTimeDays ?? defaults.leadTimeDays;
  const serviceLevel = supply?.serviceLevel ?? defaults.serviceLevel;
  const reviewPeriodDays = supply?.reviewPeriodDays ?? 0;
  const currency = supply?.currency ?? input.item?.currency ?? defaults.currency;
  if (!supply) {
    reasons.push({
      code: 'DEFAULTS.SUPPLY_PARAMETERS',
      text:
        `No supply parameters for this item at this store: assumed a lead time of ${days(leadTimeDays)} and a ` +
        `${percent(serviceLevel)} service level (service defaults), no minimum order, packs of 1 and no unit cost. ` +
        'Set the real ones for better figures.',
    });
  }
  if (!stock) {
    reasons.push({
      code: 'STOCK.UNKNOWN',
      text:
        'No stock position received for this item at this store: the figures assume nothing on hand and nothing ' +
        'on order. Check the shelf before ordering.',
    });
  } else {
    const ageDays = (input.computedAt.getTime() - stock.observedAt.getTime()) / 86_400_000;
    if (ageDays > STALE_STOCK_DAYS) {
      reasons.push({
        code: 'STOCK.STALE',
        text: `The stock position was last reported on ${stock.observedAt.toISOString().slice(0, 10)} (${Math.floor(ageDays)} days ago): check it before ordering.`,
      });
    }
  }

  const unitCost = supply && supply.unitCostMinor > 0 ? fromMinor(supply.unitCostMinor, currency) : undefined;
  const orderingCost = supply && supply.orderCostMinor > 0 ? fromMinor(supply.orderCostMinor, currency) : undefined;
  const replenishment: ReplenishmentInput = {
    sku: input.sku,
    policy: reviewPeriodDays > 0 ? 'periodic' : 'continuous',
    service: { kind: 'cycle_service', level: serviceLevel },
    demand: demandFromForecast(forecast),
    supply: {
      leadTimeDays,
      leadTimeSdDays: supply?.leadTimeStdDays ?? 0,
      reviewPeriodDays: reviewPeriodDays > 0 ? reviewPeriodDays : defaults.reviewPeriodDays,
      minOrderQuantity: supply?.minOrderQty || undefined,
      packSize: supply?.packSize || undefined,
      unitCost,
      // Without an ordering cost the EOQ is 0; the library then orders a review period of demand.
      orderingCost: orderingCost && unitCost ? orderingCost : undefined,
      holdingCostRate: supply?.holdingCostRate ?? defaults.holdingCostRate,
    },
    stock: { onHand: stock?.onHand ?? 0, onOrder: stock?.onOrder ?? 0 },
  };
  const mapped = planningRulesFor(input.rules, {
    sku: input.sku,
    storeId: input.storeId,
    categories: input.item?.categories ?? [],
    date: input.today,
  });
  const { suggestion: s, firedRules } = suggestWithRules(replenishment, mapped.rules, mapped.context);

  // Constraint notes quote the rule that made them; every other sentence carries its code from the library.
  for (const { code, text } of s.codedReasons) {
    reasons.push(
      code === 'POLICY.CONSTRAINT'
        ? (ruleReason(text, firedRules) ?? { code: 'POLICY.NOTE', text })
        : { code: policyCode(code), text },
    );
  }
  // Every rule that changed the result is named, even if the library's sentences did not quote it.
  for (const rule of firedRules) {
    if (!reasons.some((r) => r.ruleId === rule.ruleId)) {
      reasons.push({
        code: RULE_REASON_CODES[rule.type],
        text: `Rule "${rule.name}": ${rule.effect}.`,
        ruleId: rule.ruleId,
      });
    }
  }

  const blockedByOrderDays = firedRules.some((r) => r.type === 'order_days' && r.effect.startsWith('no order now'));
  return {
    suggestionId: input.suggestionId,
    sku: input.sku,
    storeId: input.storeId,
    status: 'proposed',
    revision: 1,
    policy: s.policy === 'periodic' ? 'periodic_review' : 'continuous_review',
    orderQuantity: s.orderQuantity,
    reorderPoint: s.reorderPoint,
    safetyStock: s.safetyStock,
    orderUpToLevel: s.orderUpToLevel,
    economicOrderQuantity: s.economicOrderQuantity ?? 0,
    inventoryPosition: s.inventoryPosition,
    onHand: replenishment.stock.onHand,
    onOrder: replenishment.stock.onOrder ?? 0,
    // Without demand the stock lasts indefinitely; 9999 days stands for "more than anyone plans for".
    daysOfCover: s.daysOfCover === null ? 9999 : Math.min(9999, s.daysOfCover),
    stockoutProbability: s.stockoutProbability,
    expectedUnitsShort: s.expectedUnitsShort,
    excessUnits: s.excessUnits,
    excessValueMinor: s.excessValue === null ? 0 : toMinor(s.excessValue, currency),
    currency,
    targetServiceLevel: serviceLevel,
    leadTimeDays,
    orderDate: blockedByOrderDays ? nextOrderDate(mapped.rules, input.today) : input.today,
    forecastId: input.forecastId,
    forecastModel: forecast.model,
    reasons,
    computationId: input.computationId,
    computedAt: input.computedAt,
  };
}

import { CumulativeQuantiles } from './demand.distribution';

/** Continuous review (s, Q): order when the inventory position falls to s. Periodic review (R, S): every R days. */
export type ReviewPolicy = 'continuous' | 'periodic';

/**
 * Service target: `cycle_service` (α) is the probability of no stock-out in a replenishment cycle; `fill_rate` (β)
 * is the share of demand served from stock.
 */
export interface ServiceTarget {
  kind: 'cycle_service' | 'fill_rate';
  level: number;
  /**
   * `cycle_service` only: let the protection level fall below the expected demand when α < 0.5 (its α-quantile is
   * then below the mean). Off by default: a planner's own target never plans for less than the expected demand; the
   * service allocation sets it for dear items whose stock buys little fill per £.
   */
  allowBelowMean?: boolean;
}

/** What the policy needs to know about demand; build it from a forecast with `demandFromForecast`. */
export interface DemandInput {
  /** Expected demand per day. */
  meanPerDay: number;
  /** Standard deviation of daily demand around the forecast (one-step forecast error), per day. */
  sdPerDay: number;
  /** The forecast's cumulative-demand quantiles: enables the distribution-based method. */
  cumulative?: CumulativeQuantiles;
  /** Where the numbers come from, for the reasons. */
  source?: {
    /** Planner-facing model name, e.g. "Holt damped trend". */
    title: string;
    /** Specific label, e.g. "ETS(A,Ad,N)". */
    label?: string;
    backtestMase?: number;
    selectedBy?: string;
    historyDays?: number;
  };
  /**
   * Demand multipliers per future day (index 0 = today), e.g. a promotion ×1.5 on days 3–9; missing days count as 1.
   * Usually set by the rules engine from `demand_event` rules.
   */
  dailyMultipliers?: readonly number[];
}

export interface SupplyInput {
  /** Mean lead time from order to availability, in days. */
  leadTimeDays: number;
  /** Standard deviation of the lead time, in days (0 = reliable supplier). */
  leadTimeSdDays?: number;
  /** Days between reviews for periodic review (default 7). Also the days until the next possible order. */
  reviewPeriodDays?: number;
  /** Fixed order quantity Q for continuous review; default: EOQ when costs are known, else a review period of demand. */
  orderQuantity?: number;
  minOrderQuantity?: number;
  packSize?: number;
  /** Purchase cost per unit (values excess stock; with the holding rate it gives the EOQ). */
  unitCost?: number;
  /** Fixed cost per order (EOQ's K). */
  orderingCost?: number;
  /** Holding cost per year as a share of the unit cost (e.g. 0.25). */
  holdingCostRate?: number;
}

export interface StockPosition {
  /** Units on hand; may be negative when backorders are booked against stock. */
  onHand: number;
  /** Units ordered and not yet received. */
  onOrder?: number;
  /** Units owed to customers (not already netted in onHand). */
  backorders?: number;
}

/** A limit imposed by a planner rule; `label` names the rule in the reasons, e.g. `rule "Max 200 per order"`. */
export interface LabelledLimit {
  value: number;
  label: string;
}

/**
 * Constraints applied on top of the math, in this order: stock-level floor and cap (on s and S), the order
 * quantity limits (when an order is placed), then blocks (no order at all). Each one that changes the result is
 * listed in `constraintsApplied` and explained in the reasons.
 */
export interface PolicyConstraints {
  minStockLevel?: LabelledLimit;
  maxStockLevel?: LabelledLimit;
  minOrderQuantity?: LabelledLimit;
  maxOrderQuantity?: LabelledLimit;
  /** No order now (e.g. not a supplier order day); `why` completes "no order: …". */
  blocks?: { label: string; why: string }[];
  /** Item discontinued: nothing is reordered and all stock counts as excess. */
  discontinued?: { label: string };
  /** Extra sentences placed after the demand sentence and after the lead-time sentence (rule explanations). */
  demandNotes?: string[];
  supplyNotes?: string[];
}

export interface ReplenishmentInput {
  sku?: string;
  policy: ReviewPolicy;
  service: ServiceTarget;
  demand: DemandInput;
  supply: SupplyInput;
  stock: StockPosition;
  /**
   * `distribution` uses the forecast's lead-time-demand quantiles directly; `normal` uses mean and σ with
   * σ_LTD = √(L·σ_d² + d²·σ_L²). Default: distribution when quantiles are given.
   */
  method?: 'normal' | 'distribution';
  constraints?: PolicyConstraints;
}

export interface ReplenishmentSuggestion {
  sku?: string;
  policy: ReviewPolicy;
  method: 'normal' | 'distribution';
  service: ServiceTarget;
  /** Expected demand per day over the protection period (including demand multipliers). */
  demandPerDay: number;
  /** Days the stock must cover: lead time (continuous) or review period + lead time (periodic). */
  protectionDays: number;
  /** Expected demand over the lead time. */
  leadTimeDemand: number;
  /** Expected demand over the protection period and its standard deviation. */
  protectionDemand: number;
  protectionDemandSd: number;
  safetyStock: number;
  /** Inventory position at or below which an order is due: s for (s, Q); S itself for (R, S). */
  reorderPoint: number;
  /** Level an order brings the inventory position back to: s + Q, or S. */
  orderUpToLevel: number;
  /** EOQ when the costs were given. */
  economicOrderQuantity?: number;
  inventoryPosition: number;
  /** max(0, order-up-to − inventory position) when an order is due, before rounding. */
  rawOrderQuantity: number;
  /** Units to order now after MOQ and pack rounding. */
  orderQuantity: number;
  /** Inventory position ÷ demand per day; null without demand. */
  daysOfCover: number | null;
  /** Probability of running out before the next delivery can arrive (see `suggestReplenishment`). */
  stockoutProbability: number;
  /** Expected units short over the same period. */
  expectedUnitsShort: number;
  /** Units above the order-up-to level, and their value when the unit cost is known. */
  excessUnits: number;
  excessValue: number | null;
  /** Constraints that changed the result, by label, with what they did. */
  constraintsApplied: { label: string; effect: string }[];
  /** Plain-language explanation, one sentence per step. */
  reasons: string[];
  /** The same sentences with what each is about, for callers that file or filter them (`reasons` = their texts). */
  codedReasons: PolicyReason[];
}

/**
 * What a reason sentence is about: the demand (`FORECAST.*`), the safety stock, the order (placed, not needed, no
 * order within the limits, EOQ), the stock-out risk, excess stock, or a constraint's own note (`POLICY.CONSTRAINT`:
 * rules and limits passed in `constraints`, quoted as given).
 */
export type PolicyReasonCode =
  | 'FORECAST.DEMAND'
  | 'FORECAST.DEMAND_EVENTS'
  | 'FORECAST.EXTRAPOLATED'
  | 'POLICY.SAFETY_STOCK'
  | 'POLICY.ORDER'
  | 'POLICY.NO_ORDER_FITS'
  | 'POLICY.NO_ORDER_NEEDED'
  | 'POLICY.EOQ'
  | 'POLICY.STOCKOUT_RISK'
  | 'POLICY.EXCESS'
  | 'POLICY.CONSTRAINT';

export interface PolicyReason {
  code: PolicyReasonCode;
  text: string;
}

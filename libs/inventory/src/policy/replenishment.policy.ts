import { DemandDistribution, normalDemand, quantileDemand } from './demand.distribution';
import { economicOrderQuantity, roundOrderQuantity } from './inventory.math';
import { formatMoney, formatPercent, formatRate, formatUnits } from './reason.format';
import { PolicyReason, PolicyReasonCode, ReplenishmentInput, ReplenishmentSuggestion } from './replenishment.types';

/** Review period assumed when none is given (weekly ordering, the most common retail rhythm). */
export const DEFAULT_REVIEW_PERIOD_DAYS = 7;

export class ReplenishmentInputError extends Error {
  readonly code = 'INVENTORY.INVALID_INPUT';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new ReplenishmentInputError(message);
}

/** Average demand multiplier over days [0, days) (fractional last day weighted). */
function averageMultiplier(multipliers: readonly number[] | undefined, days: number): number {
  if (!multipliers || multipliers.length === 0 || !(days > 0)) return 1;
  let total = 0;
  const whole = Math.floor(days);
  for (let t = 0; t < whole; t++) total += multipliers[t] ?? 1;
  total += (days - whole) * (multipliers[whole] ?? 1);
  return total / days;
}

/** Smallest x ≥ mean with E[(D − x)⁺] ≤ target (expected shortage is decreasing in x). */
function levelForShortage(dist: DemandDistribution, target: number): number {
  let lo = dist.mean;
  if (dist.expectedShortage(lo) <= target) return lo;
  let hi = Math.max(1, dist.mean) * 2 + 10 * dist.sd;
  while (dist.expectedShortage(hi) > target && hi < 1e12) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > 1e-6 * (1 + hi); i++) {
    const mid = (lo + hi) / 2;
    if (dist.expectedShortage(mid) > target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Demand over the lead time and over the protection period, as the policy sees it. */
export interface ProtectionDemand {
  leadTimeDays: number;
  leadTimeSdDays: number;
  reviewPeriodDays: number;
  /** L (continuous) or R + L (periodic). */
  protectionDays: number;
  method: 'normal' | 'distribution';
  lead: DemandDistribution;
  protection: DemandDistribution;
  /** Expected demand per replenishment cycle: Q (continuous) or R days of demand (periodic). */
  demandPerCycle: number;
  /** Continuous review order quantity Q (0 for periodic review). */
  orderQuantity: number;
  economicOrderQuantity?: number;
  /** Average demand multiplier over the protection period (promotions). */
  multiplier: number;
}

/**
 * Validates the input and builds the demand distributions the policy uses: normal with
 * σ = √(P·σ_d² + d²·σ_L²), or the forecast's cumulative quantiles mixed over the lead-time distribution.
 */
export function protectionDemand(input: ReplenishmentInput): ProtectionDemand {
  const { demand, supply, stock, service, policy } = input;
  check(
    Number.isFinite(demand.meanPerDay) && demand.meanPerDay >= 0,
    'demand.meanPerDay must be a non-negative number',
  );
  check(Number.isFinite(demand.sdPerDay) && demand.sdPerDay >= 0, 'demand.sdPerDay must be a non-negative number');
  check(
    Number.isFinite(supply.leadTimeDays) && supply.leadTimeDays >= 0,
    'supply.leadTimeDays must be a non-negative number',
  );
  check(service.level > 0 && service.level < 1, 'service.level must be strictly between 0 and 1');
  check(Number.isFinite(stock.onHand), 'stock.onHand must be a number');
  const L = supply.leadTimeDays;
  const sdL = Math.max(0, supply.leadTimeSdDays ?? 0);
  const R = supply.reviewPeriodDays ?? DEFAULT_REVIEW_PERIOD_DAYS;
  check(R > 0, 'supply.reviewPeriodDays must be positive');
  const P = policy === 'periodic' ? R + L : L;
  const method = input.method ?? (demand.cumulative ? 'distribution' : 'normal');
  check(method === 'normal' || !!demand.cumulative, 'method "distribution" needs demand.cumulative quantiles');

  const d = demand.meanPerDay;
  const sd = demand.sdPerDay;
  const mL = averageMultiplier(demand.dailyMultipliers, L);
  const mP = averageMultiplier(demand.dailyMultipliers, P);
  const mR = averageMultiplier(demand.dailyMultipliers?.slice(Math.floor(L)), R);
  const normalOver = (days: number, m: number): DemandDistribution =>
    normalDemand(d * m * days, Math.sqrt(days * sd * sd * m * m + d * d * m * m * sdL * sdL));
  const lead = method === 'distribution' ? quantileDemand(demand.cumulative!, L, sdL, 0, mL) : normalOver(L, mL);
  const protection =
    policy === 'continuous'
      ? lead
      : method === 'distribution'
        ? quantileDemand(demand.cumulative!, L, sdL, R, mP)
        : normalOver(P, mP);
  const eoq =
    supply.orderingCost !== undefined && supply.unitCost && supply.holdingCostRate && d > 0
      ? economicOrderQuantity({
          orderingCost: supply.orderingCost,
          annualDemand: d * 365,
          holdingCostPerUnitYear: supply.unitCost * supply.holdingCostRate,
        })
      : undefined;
  const Q = policy === 'continuous' ? Math.max(0, supply.orderQuantity ?? eoq ?? Math.ceil(d * mP * R)) : 0;
  return {
    leadTimeDays: L,
    leadTimeSdDays: sdL,
    reviewPeriodDays: R,
    protectionDays: P,
    method,
    lead,
    protection,
    demandPerCycle: policy === 'continuous' ? Q : d * mR * R,
    orderQuantity: Q,
    economicOrderQuantity: eoq,
    multiplier: mP,
  };
}

/**
 * Protection level (s for continuous review, S for periodic) before rounding: the α-quantile of demand over the
 * protection period for a cycle service level, or the level whose expected shortage per cycle is (1 − β) × demand
 * per cycle for a fill rate; never below the expected demand (unless a cycle service target sets `allowBelowMean`).
 */
export function protectionLevel(
  pd: ProtectionDemand,
  service: ReplenishmentInput['service'],
  meanPerDay: number,
): number {
  if (!(meanPerDay > 0) && !(pd.protection.mean > 0)) return 0;
  if (service.kind === 'cycle_service') {
    const q = pd.protection.quantile(service.level);
    return service.allowBelowMean ? Math.max(0, q) : Math.max(pd.protection.mean, q);
  }
  const perCycle = pd.demandPerCycle;
  return perCycle > 0 ? levelForShortage(pd.protection, (1 - service.level) * perCycle) : pd.protection.mean;
}

/**
 * Replenishment suggestion for one SKU at one location under continuous review (s, Q) or periodic review (R, S).
 *
 * - Protection period P = L (continuous) or R + L (periodic); demand over it is normal with
 *   σ = √(P·σ_d² + d²·σ_L²), or — method `distribution` — the forecast's own cumulative-demand quantiles mixed over
 *   the lead-time distribution.
 * - Level for a cycle service level α: the α-quantile of demand over P. For a fill rate β: the level where the
 *   expected units short per cycle equal (1 − β) × demand per cycle (Q, or R days of demand). Never below the mean.
 * - Reorder point s and order-up-to S are rounded up to whole units; safety stock = level − expected demand.
 * - Order now = max(0, order-up-to − inventory position) when an order is due (continuous: position ≤ s; periodic:
 *   at every review), then raised to the minimum order quantity and rounded up to whole packs;
 *   inventory position = on hand + on order − backorders.
 * - Stock-out risk "before the next delivery": if ordering now, demand over the lead time against the current
 *   position (this order arrives only after L); if not, continuous review: demand over L against s (the next order is
 *   placed at s), periodic review: demand over R + L against the current position.
 */
export function suggestReplenishment(input: ReplenishmentInput): ReplenishmentSuggestion {
  const { demand, supply, stock, service, policy } = input;
  const pd = protectionDemand(input);
  const { leadTimeDays: L, leadTimeSdDays: sdL, reviewPeriodDays: R, protectionDays: P, method } = pd;
  const d = demand.meanPerDay;
  const mP = pd.multiplier;
  const lifted = Math.abs(mP - 1) > 1e-9;
  const distLead = pd.lead;
  const distProtect = pd.protection;
  const eoq = pd.economicOrderQuantity;
  const Q = pd.orderQuantity;

  const level = protectionLevel(pd, service, d);
  const protectLevel = Math.max(0, Math.ceil(level - 1e-9));
  const safetyStock = Math.max(0, Math.round(level - distProtect.mean));
  const Qunits = Math.ceil(Q - 1e-9);
  let reorderPoint = protectLevel;
  let orderUpToLevel = policy === 'continuous' ? protectLevel + Qunits : protectLevel;

  // Planner constraints on the levels (floor, then cap).
  const c = input.constraints ?? {};
  const applied: { label: string; effect: string }[] = [];
  const levelNotes: string[] = [];
  if (c.minStockLevel && orderUpToLevel < c.minStockLevel.value) {
    const before = orderUpToLevel;
    reorderPoint =
      policy === 'continuous'
        ? Math.max(reorderPoint, Math.ceil(c.minStockLevel.value - Qunits))
        : c.minStockLevel.value;
    orderUpToLevel = c.minStockLevel.value;
    const effect = `stock floor ${formatUnits(c.minStockLevel.value)} raises the order-up-to level from ${formatUnits(before)} to ${formatUnits(orderUpToLevel)}`;
    applied.push({ label: c.minStockLevel.label, effect });
    levelNotes.push(`${capitalise(c.minStockLevel.label)}: ${effect}.`);
  }
  if (c.maxStockLevel && orderUpToLevel > c.maxStockLevel.value) {
    const before = orderUpToLevel;
    orderUpToLevel = Math.max(0, c.maxStockLevel.value);
    reorderPoint = Math.min(reorderPoint, orderUpToLevel);
    const effect = `stock cap ${formatUnits(c.maxStockLevel.value)} lowers the order-up-to level from ${formatUnits(before)} to ${formatUnits(orderUpToLevel)}`;
    applied.push({ label: c.maxStockLevel.label, effect });
    levelNotes.push(`${capitalise(c.maxStockLevel.label)}: ${effect}.`);
  }
  if (c.discontinued) {
    reorderPoint = 0;
    orderUpToLevel = 0;
  }

  const onOrder = stock.onOrder ?? 0;
  const backorders = stock.backorders ?? 0;
  const position = stock.onHand + onOrder - backorders;
  const due = policy === 'periodic' ? position < orderUpToLevel : position <= reorderPoint && orderUpToLevel > position;
  const rawOrderQuantity = due ? Math.max(0, orderUpToLevel - position) : 0;

  // Rounding (supplier MOQ and packs), then planner limits on the order, then blocks.
  const stockRoom = c.maxStockLevel ? Math.max(0, c.maxStockLevel.value - position) : undefined;
  const supplierRounded = roundOrderQuantity(rawOrderQuantity, { ...supply, maxOrderQuantity: stockRoom });
  let orderQuantity = supplierRounded;
  const orderNotes: string[] = [];
  if (orderQuantity > 0 && c.minOrderQuantity && orderQuantity < c.minOrderQuantity.value) {
    const before = orderQuantity;
    orderQuantity = roundOrderQuantity(c.minOrderQuantity.value, {
      packSize: supply.packSize,
      maxOrderQuantity: stockRoom,
    });
    if (orderQuantity !== before) {
      const effect = `minimum order ${formatUnits(c.minOrderQuantity.value)} raises the order from ${formatUnits(before)} to ${formatUnits(orderQuantity)}`;
      applied.push({ label: c.minOrderQuantity.label, effect });
      orderNotes.push(`${capitalise(c.minOrderQuantity.label)}: ${effect}.`);
    }
  }
  if (orderQuantity > 0 && c.maxOrderQuantity && orderQuantity > c.maxOrderQuantity.value) {
    const before = orderQuantity;
    orderQuantity = roundOrderQuantity(orderQuantity, {
      packSize: supply.packSize,
      maxOrderQuantity: c.maxOrderQuantity.value,
    });
    const effect = `order cap ${formatUnits(c.maxOrderQuantity.value)} limits the order from ${formatUnits(before)} to ${formatUnits(orderQuantity)}${supply.packSize && supply.packSize > 1 ? ` (whole packs of ${formatUnits(supply.packSize)})` : ''}`;
    applied.push({ label: c.maxOrderQuantity.label, effect });
    orderNotes.push(`${capitalise(c.maxOrderQuantity.label)}: ${effect}.`);
  }
  if (c.discontinued) {
    const effect = `discontinued: not reordered${position > 0 ? `; the remaining ${formatUnits(position)} units are excess` : ''}`;
    applied.push({ label: c.discontinued.label, effect });
    orderNotes.push(`${capitalise(c.discontinued.label)}: ${effect}.`);
    orderQuantity = 0;
  }
  for (const block of c.blocks ?? []) {
    if (orderQuantity > 0 || (due && rawOrderQuantity > 0)) {
      const effect = `no order now (${block.why})${orderQuantity > 0 ? `; the ${formatUnits(orderQuantity)} units wait for the next order day` : ''}`;
      applied.push({ label: block.label, effect });
      orderNotes.push(`${capitalise(block.label)}: ${effect}.`);
    }
    orderQuantity = 0;
  }

  const ordering = orderQuantity > 0;
  const exposure = ordering || policy === 'continuous' ? distLead : distProtect;
  const available = ordering
    ? position
    : policy === 'continuous' && due === false
      ? Math.min(position, Math.max(reorderPoint, 0))
      : position;
  const stockoutProbability = Math.min(1, Math.max(0, exposure.exceedance(available)));
  const expectedUnitsShort = Math.max(0, exposure.expectedShortage(available));
  const perDay = d * mP;
  const excessUnits = Math.max(0, position - orderUpToLevel);

  const suggestion: ReplenishmentSuggestion = {
    sku: input.sku,
    policy,
    method,
    service,
    demandPerDay: perDay,
    protectionDays: P,
    leadTimeDemand: distLead.mean,
    protectionDemand: distProtect.mean,
    protectionDemandSd: distProtect.sd,
    safetyStock: c.discontinued ? 0 : safetyStock,
    reorderPoint,
    orderUpToLevel,
    economicOrderQuantity: eoq,
    inventoryPosition: position,
    rawOrderQuantity,
    orderQuantity,
    daysOfCover: perDay > 0 ? Math.max(0, position) / perDay : null,
    stockoutProbability,
    expectedUnitsShort,
    excessUnits,
    excessValue: supply.unitCost !== undefined ? excessUnits * supply.unitCost : null,
    constraintsApplied: applied,
    reasons: [],
    codedReasons: [],
  };
  suggestion.codedReasons = explain(input, suggestion, {
    L,
    sdL,
    R,
    lifted,
    baseDemand: d,
    supplierRounded,
    levelNotes,
    orderNotes,
  });
  suggestion.reasons = suggestion.codedReasons.map((r) => r.text);
  return suggestion;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface ExplainContext {
  L: number;
  sdL: number;
  R: number;
  lifted: boolean;
  baseDemand: number;
  supplierRounded: number;
  levelNotes: string[];
  orderNotes: string[];
}

function explain(input: ReplenishmentInput, s: ReplenishmentSuggestion, ctx: ExplainContext): PolicyReason[] {
  const { demand, supply, stock, service, policy } = input;
  const c = input.constraints ?? {};
  const reasons: PolicyReason[] = [];
  const add = (code: PolicyReasonCode, text: string) => reasons.push({ code, text });
  const notes = (texts: readonly string[] | undefined) => {
    for (const text of texts ?? []) add('POLICY.CONSTRAINT', text);
  };
  const src = demand.source;
  if (!(ctx.baseDemand > 0)) {
    add(
      'FORECAST.DEMAND',
      src?.historyDays === 0
        ? 'No sales history yet: nothing to forecast from, so no stock is planned (set a floor rule for new items).'
        : `No demand expected${src ? ` (${src.title})` : ''}: no stock is planned.`,
    );
  } else {
    const mase =
      src?.backtestMase !== undefined && Number.isFinite(src.backtestMase)
        ? `, chosen by backtest MASE ${src.backtestMase.toFixed(2)}`
        : '';
    add('FORECAST.DEMAND', `Demand ≈ ${formatRate(ctx.baseDemand)}/day${src ? ` (${src.title}${mase})` : ''}.`);
  }
  notes(c.demandNotes);
  if (ctx.lifted) {
    add(
      'FORECAST.DEMAND_EVENTS',
      `Planned events change expected demand to ≈ ${formatRate(s.demandPerDay)}/day over the next ${formatRate(s.protectionDays)} days.`,
    );
  }
  const lead = `Lead time ${formatRate(ctx.L)}${ctx.sdL > 0 ? ` ± ${formatRate(ctx.sdL)}` : ''} days`;
  const target = `${formatPercent(service.level)} ${service.kind === 'cycle_service' ? 'service level' : 'fill rate'}`;
  const how = s.method === 'distribution' ? "the forecast's demand quantiles" : 'a normal approximation';
  if (policy === 'continuous') {
    add(
      'POLICY.SAFETY_STOCK',
      `${lead} → lead-time demand ${formatUnits(s.leadTimeDemand)} units; safety stock ${formatUnits(s.safetyStock)} for a ${target} (from ${how}).`,
    );
  } else {
    add(
      'POLICY.SAFETY_STOCK',
      `${lead}, next order in ${formatRate(ctx.R)} days → demand over ${formatRate(s.protectionDays)} days ${formatUnits(s.protectionDemand)} units; safety stock ${formatUnits(s.safetyStock)} for a ${target} (from ${how}).`,
    );
  }
  notes(c.supplyNotes);
  const horizonDays = demand.cumulative
    ? demand.cumulative.values.length * (demand.cumulative.stepDays ?? 1)
    : undefined;
  if (s.method === 'distribution' && horizonDays !== undefined && s.protectionDays + 4 * ctx.sdL > horizonDays) {
    add(
      'FORECAST.EXTRAPOLATED',
      `The protection period exceeds the ${formatRate(horizonDays)}-day forecast: demand beyond it is extrapolated from the last days.`,
    );
  }
  notes(ctx.levelNotes);
  const position = `Stock ${formatUnits(stock.onHand)} + ${formatUnits(stock.onOrder ?? 0)} on order${stock.backorders ? ` − ${formatUnits(stock.backorders)} backordered` : ''}`;
  const threshold =
    policy === 'continuous'
      ? `the reorder point ${formatUnits(s.reorderPoint)}`
      : `the order-up-to level ${formatUnits(s.orderUpToLevel)}`;
  if (c.discontinued) {
    // The discontinued note below says it all.
  } else if (ctx.supplierRounded > 0) {
    const at = policy === 'continuous' && s.inventoryPosition === s.reorderPoint ? 'at' : 'below';
    add(
      'POLICY.ORDER',
      `${position} is ${at} ${threshold}: order ${formatUnits(ctx.supplierRounded)}${roundingNote(s.rawOrderQuantity, ctx.supplierRounded, supply)}.`,
    );
  } else if (s.rawOrderQuantity > 0) {
    add('POLICY.NO_ORDER_FITS', `${position} is below ${threshold}, but no order fits the limits: no order.`);
  } else {
    add(
      'POLICY.NO_ORDER_NEEDED',
      `${position} ${policy === 'continuous' ? 'is above' : 'already reaches'} ${threshold}: no order needed.`,
    );
  }
  notes(ctx.orderNotes);
  if (
    policy === 'continuous' &&
    s.orderQuantity > 0 &&
    s.economicOrderQuantity !== undefined &&
    supply.orderQuantity === undefined
  ) {
    add('POLICY.EOQ', `Order size based on the economic order quantity ${formatUnits(s.economicOrderQuantity)}.`);
  }
  if (s.demandPerDay > 0 || s.stockoutProbability > 0) {
    add(
      'POLICY.STOCKOUT_RISK',
      `Risk of running out before the next delivery: ${formatPercent(s.stockoutProbability)}${s.expectedUnitsShort >= 0.5 ? ` (≈ ${formatUnits(s.expectedUnitsShort)} units short)` : ''}.`,
    );
  }
  if (s.excessUnits > 0 && !c.discontinued) {
    add(
      'POLICY.EXCESS',
      `Stock exceeds the order-up-to level by ${formatUnits(s.excessUnits)} units${s.excessValue !== null ? ` (value ${formatMoney(s.excessValue)})` : ''}${s.daysOfCover !== null ? `; it covers ${formatRate(s.daysOfCover)} days of demand` : ''}.`,
    );
  } else if (s.excessUnits > 0 && s.excessValue !== null) {
    add('POLICY.EXCESS', `Excess stock value ${formatMoney(s.excessValue)}.`);
  }
  return reasons;
}

function roundingNote(raw: number, q: number, supply: { minOrderQuantity?: number; packSize?: number }): string {
  const need = Math.ceil(raw - 1e-9);
  if (q === need) return '';
  const moq = supply.minOrderQuantity ?? 0;
  const pack = supply.packSize ?? 1;
  if (q > need && moq > need && q === Math.ceil(moq / pack - 1e-9) * pack) {
    return ` (need ${formatUnits(need)}, raised to the minimum order of ${formatUnits(moq)}${pack > 1 && q !== moq ? ` and packs of ${formatUnits(pack)}` : ''})`;
  }
  if (q > need && pack > 1) return ` (need ${formatUnits(need)}, rounded up to packs of ${formatUnits(pack)})`;
  if (q < need) return ` (need ${formatUnits(need)}, limited to ${formatUnits(q)})`;
  return '';
}

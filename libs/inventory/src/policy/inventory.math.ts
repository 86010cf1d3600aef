import { inverseNormalLoss, normalQuantile } from '@app/forecasting';

/**
 * Economic order quantity (Harris 1913): Q* = √(2·K·λ / h), with K the fixed cost per order, λ the demand per year
 * and h the holding cost per unit per year. Returns 0 when there is no demand.
 */
export function economicOrderQuantity(params: {
  orderingCost: number;
  annualDemand: number;
  holdingCostPerUnitYear: number;
}): number {
  const { orderingCost, annualDemand, holdingCostPerUnitYear } = params;
  if (!(annualDemand > 0)) return 0;
  if (!(holdingCostPerUnitYear > 0)) throw new RangeError('holdingCostPerUnitYear must be positive');
  if (!(orderingCost >= 0)) throw new RangeError('orderingCost must be non-negative');
  return Math.sqrt((2 * orderingCost * annualDemand) / holdingCostPerUnitYear);
}

/**
 * Newsvendor: stock S* with P(D ≤ S*) = p / (p + h), the critical ratio of the underage cost p (margin lost per unit
 * short) to p plus the overage cost h (cost per unit left over). Normal demand: S* = μ + σ·Φ⁻¹(ratio).
 */
export function newsvendorQuantity(params: { underageCost: number; overageCost: number; mean: number; sd: number }): {
  criticalRatio: number;
  quantity: number;
} {
  const { underageCost, overageCost, mean, sd } = params;
  if (!(underageCost > 0) || !(overageCost > 0)) throw new RangeError('underageCost and overageCost must be positive');
  const criticalRatio = underageCost / (underageCost + overageCost);
  return { criticalRatio, quantity: mean + sd * normalQuantile(criticalRatio) };
}

/**
 * Standard deviation of demand over a lead time L with random lead time (Silver, Pyke & Peterson, eq. 6.9):
 * σ_LTD = √(L·σ_d² + d²·σ_L²), assuming independent daily demands and lead time.
 */
export function leadTimeDemandSd(params: {
  meanPerDay: number;
  sdPerDay: number;
  leadTimeDays: number;
  leadTimeSdDays?: number;
}): number {
  const { meanPerDay: d, sdPerDay, leadTimeDays: L, leadTimeSdDays: sL = 0 } = params;
  return Math.sqrt(Math.max(0, L) * sdPerDay * sdPerDay + d * d * sL * sL);
}

/** Safety factor k for a cycle service level α (probability of no stock-out per replenishment cycle): k = Φ⁻¹(α). */
export function safetyFactorForCycleService(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`cycle service level must be in (0, 1), got ${alpha}`);
  return normalQuantile(alpha);
}

/**
 * Safety factor k for a fill rate β (share of demand served from stock): expected units short per cycle,
 * σ·G(k), must equal (1 − β) times the demand per cycle, with G the standard normal loss function
 * (Silver, Pyke & Peterson, eq. 6.18). Never below 0: the plan does not cover less than the expected demand.
 */
export function safetyFactorForFillRate(beta: number, demandPerCycle: number, sdOverProtection: number): number {
  if (!(beta > 0 && beta < 1)) throw new RangeError(`fill rate must be in (0, 1), got ${beta}`);
  if (!(sdOverProtection > 0)) return 0;
  return Math.max(0, inverseNormalLoss(((1 - beta) * demandPerCycle) / sdOverProtection));
}

/**
 * Rounds a positive order up to the minimum order quantity and then to whole packs; 0 stays 0. A cap (maximum
 * order) is applied after rounding by removing whole packs, so the result stays a pack multiple when possible.
 */
export function roundOrderQuantity(
  raw: number,
  rounding: { minOrderQuantity?: number; packSize?: number; maxOrderQuantity?: number } = {},
): number {
  if (!(raw > 1e-9)) return 0;
  const pack = rounding.packSize && rounding.packSize > 0 ? rounding.packSize : 1;
  let q = Math.max(raw, rounding.minOrderQuantity ?? 0);
  q = Math.ceil(q / pack - 1e-9) * pack;
  if (rounding.maxOrderQuantity !== undefined && q > rounding.maxOrderQuantity) {
    q = Math.floor(rounding.maxOrderQuantity / pack + 1e-9) * pack;
    if (q < (rounding.minOrderQuantity ?? 0)) q = 0;
  }
  return q;
}

import { formatPercent } from './reason.format';
import { protectionDemand, protectionLevel } from './replenishment.policy';
import { ReplenishmentInput } from './replenishment.types';

export interface AllocationItem {
  id: string;
  /** Value of one unit of stock (cost or price): what holding it ties up. */
  unitValue: number;
  /** The item's replenishment input; its `service` is ignored (the allocation sets it). */
  input: ReplenishmentInput;
}

export interface AllocatedItem {
  id: string;
  /** Cycle service level to pass to `suggestReplenishment` as `{ kind: 'cycle_service', level }`. */
  cycleServiceLevel: number;
  /** Protection level (S or s) that level implies, and its expected shortage per cycle. */
  level: number;
  expectedShortagePerCycle: number;
  demandPerCycle: number;
  /** Planner-facing explanation of the item's target. */
  reason: string;
}

export interface ServiceAllocation {
  targetFillRate: number;
  /** Fill rate the allocation expects across all items (demand-weighted). */
  expectedFillRate: number;
  reachable: boolean;
  /** Lagrange multiplier: each item's stock-out probability per cycle is unitValue / lambda. */
  lambda: number;
  items: AllocatedItem[];
}

/** Cycle service levels on which each item's level and shortage are tabulated (interpolated in between). */
const GRID = Array.from({ length: 61 }, (_, i) => 0.5 + (0.499 * (1 - Math.cos((Math.PI * i) / 60))) / 2);

/**
 * Spreads one aggregate fill-rate target over many items at the least stock value. Minimising Σ vᵢ·Sᵢ subject to
 * Σ E[shortageᵢ] = (1 − β)·Σ demand per cycleᵢ gives, since dE[(D − S)⁺]/dS = −P(D > S), the condition
 * P(stock-out in a cycle)ᵢ = vᵢ / λ (Silver, Pyke & Peterson, "Inventory and Production Management", §7: minimising
 * safety stock value subject to an aggregate fill rate). Cheap or fast-moving items get high service, expensive slow
 * ones less; λ is found by bisection. Cycle service levels are kept within [min, max] (default 0.5–0.999: never
 * below the expected demand).
 */
export function allocateServiceLevels(
  items: readonly AllocationItem[],
  targetFillRate: number,
  bounds: { min?: number; max?: number } = {},
): ServiceAllocation {
  if (!(targetFillRate > 0 && targetFillRate < 1))
    throw new RangeError('targetFillRate must be strictly between 0 and 1');
  const lo = Math.max(0.5, bounds.min ?? 0.5);
  const hi = Math.min(0.999, bounds.max ?? 0.999);
  const grid = GRID.filter((a) => a >= lo - 1e-12 && a <= hi + 1e-12);
  const tables = items.map((item) => {
    const pd = protectionDemand({ ...item.input, service: { kind: 'cycle_service', level: 0.5 } });
    const rows = grid.map((alpha) => {
      const level = protectionLevel(pd, { kind: 'cycle_service', level: alpha }, item.input.demand.meanPerDay);
      return { alpha, level, shortage: pd.protection.expectedShortage(level) };
    });
    return { item, rows, perCycle: pd.demandPerCycle };
  });
  const totalDemand = tables.reduce((s, t) => s + t.perCycle, 0);
  const at = (rows: { alpha: number; level: number; shortage: number }[], alpha: number) => {
    if (alpha <= rows[0].alpha) return rows[0];
    let i = 1;
    while (i < rows.length - 1 && rows[i].alpha < alpha) i++;
    const a = rows[i - 1];
    const b = rows[i];
    const t = Math.min(1, (alpha - a.alpha) / (b.alpha - a.alpha));
    return { alpha, level: a.level + t * (b.level - a.level), shortage: a.shortage + t * (b.shortage - a.shortage) };
  };
  const alphaFor = (value: number, lambda: number) => Math.min(hi, Math.max(lo, 1 - Math.max(0, value) / lambda));
  const fillAt = (lambda: number) => {
    if (!(totalDemand > 0)) return 1;
    const short = tables.reduce((s, t) => s + at(t.rows, alphaFor(t.item.unitValue, lambda)).shortage, 0);
    return 1 - short / totalDemand;
  };
  const values = items.map((i) => Math.max(1e-12, i.unitValue));
  let lambdaLo = Math.min(...values, 1);
  let lambdaHi = (Math.max(...values, 1) / (1 - hi)) * 10;
  let lambda = lambdaHi;
  const reachable = fillAt(lambdaHi) >= targetFillRate;
  if (reachable) {
    if (fillAt(lambdaLo) >= targetFillRate) lambda = lambdaLo;
    else {
      for (let k = 0; k < 100 && lambdaHi / lambdaLo > 1 + 1e-9; k++) {
        const mid = Math.sqrt(lambdaLo * lambdaHi);
        if (fillAt(mid) >= targetFillRate) lambdaHi = mid;
        else lambdaLo = mid;
      }
      lambda = lambdaHi;
    }
  }
  return {
    targetFillRate,
    expectedFillRate: fillAt(lambda),
    reachable,
    lambda,
    items: tables.map((t) => {
      const alpha = alphaFor(t.item.unitValue, lambda);
      const row = at(t.rows, alpha);
      return {
        id: t.item.id,
        cycleServiceLevel: alpha,
        level: row.level,
        expectedShortagePerCycle: row.shortage,
        demandPerCycle: t.perCycle,
        reason: `Service level ${formatPercent(alpha)} for this item, set so that all items together reach a ${formatPercent(targetFillRate)} fill rate with the least stock value (unit value ${t.item.unitValue.toFixed(2)}: dearer items carry relatively less safety stock).`,
      };
    }),
  };
}

import { formatPercent } from './reason.format';
import { protectionDemand, ProtectionDemand, protectionLevel } from './replenishment.policy';
import { ReplenishmentInput, ServiceTarget } from './replenishment.types';

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
  /**
   * The same target as a `ServiceTarget` for `suggestReplenishment`: `{ kind: 'cycle_service', level }`, with
   * `allowBelowMean` when the level is below 0.5 (only when the bounds allow it).
   */
  service: ServiceTarget;
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

/**
 * Expected units short in one replenishment cycle at protection level S. Continuous review: E[(D_L − s)⁺]. Periodic
 * review (backorders, exact; Hadley & Whitin 1963): E[(D_{R+L} − S)⁺] − E[(D_L − S)⁺] — the shortage at the end of
 * the cycle this order covers minus what was already short before it arrives. Under lost sales it slightly
 * overstates the shortage (lost demand does not eat into the next cycle's stock).
 */
export function expectedShortagePerCycle(pd: ProtectionDemand, level: number): number {
  const total = pd.protection.expectedShortage(level);
  return pd.protection === pd.lead ? total : Math.max(0, total - pd.lead.expectedShortage(level));
}

/** Cycle service levels on which each item's level and shortage are tabulated (interpolated in between). */
const GRID = Array.from({ length: 61 }, (_, i) => 0.5 + (0.499 * (1 - Math.cos((Math.PI * i) / 60))) / 2);

/** The grid from `lo`: below 0.5 (allowed only when asked) 20 evenly spaced levels are added. */
function gridFrom(lo: number, hi: number): number[] {
  const below = lo >= 0.5 ? [] : Array.from({ length: 20 }, (_, i) => lo + ((0.5 - lo) * i) / 20);
  const above = hi > 0.999 ? [0.9995, 0.9998, 0.9999, 0.99995, 0.99999] : [];
  return [...below, ...GRID, ...above];
}

/**
 * Spreads one aggregate fill-rate target over many items at the least stock value. Minimising Σ vᵢ·Sᵢ subject to
 * Σ E[shortageᵢ] = (1 − β)·Σ demand per cycleᵢ gives, since dE[(D − S)⁺]/dS = −P(D > S), the condition
 * P(stock-out in a cycle)ᵢ = vᵢ / λ (Silver, Pyke & Peterson, "Inventory and Production Management", §7: minimising
 * safety stock value subject to an aggregate fill rate). Cheap or fast-moving items get high service, expensive slow
 * ones less; λ is found by bisection. Cycle service levels are kept within [min, max] (default 0.5–0.999: never
 * below the expected demand; `max` may go up to 0.99999 for cheap items whose stock buys fill cheaply). A `min` below 0.5 (down to 0.001) lets the dearest items' levels fall below their
 * expected demand — the full marginal analysis, where a £ of stock goes to the item that buys the most fill with it;
 * their targets then carry `allowBelowMean`.
 */
export function allocateServiceLevels(
  items: readonly AllocationItem[],
  targetFillRate: number,
  bounds: {
    min?: number;
    max?: number;
    /**
     * How the expected units short per replenishment cycle are counted. `protection` (default): E[(D_P − S)⁺] over
     * the whole protection period, with the rule P(stock-out)ᵢ = vᵢ / λ. `cycle`: for periodic review the exact
     * shortage of one review cycle, E[(D_{R+L} − S)⁺] − E[(D_L − S)⁺] (Hadley & Whitin; what is already short by
     * the time this order arrives belongs to the previous cycle), allocated by marginal analysis — each item takes
     * the tabulated level minimising vᵢ·Sᵢ + λ·shortageᵢ(Sᵢ), i.e. stock goes where a £ buys the most fill.
     */
    shortage?: 'protection' | 'cycle';
  } = {},
): ServiceAllocation {
  const perCycle = bounds.shortage === 'cycle';
  if (!(targetFillRate > 0 && targetFillRate < 1))
    throw new RangeError('targetFillRate must be strictly between 0 and 1');
  const lo = Math.max(0.001, bounds.min ?? 0.5);
  const hi = Math.min(0.99999, bounds.max ?? 0.999);
  const grid = gridFrom(lo, hi).filter((a) => a >= lo - 1e-12 && a <= hi + 1e-12);
  const tables = items.map((item) => {
    const pd = protectionDemand({ ...item.input, service: { kind: 'cycle_service', level: 0.5 } });
    const rows = grid.map((alpha) => {
      const level = protectionLevel(
        pd,
        { kind: 'cycle_service', level: alpha, allowBelowMean: alpha < 0.5 },
        item.input.demand.meanPerDay,
      );
      const shortage = pd.protection.expectedShortage(level);
      return { alpha, level, shortage: perCycle ? expectedShortagePerCycle(pd, level) : shortage };
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
  // Marginal analysis on the tabulated levels: the row with the least value·level + λ·shortage.
  const bestRow = (t: (typeof tables)[number], lambda: number) => {
    const v = Math.max(0, t.item.unitValue);
    let best = t.rows[0];
    for (const r of t.rows)
      if (v * r.level + lambda * r.shortage < v * best.level + lambda * best.shortage - 1e-12) best = r;
    return best;
  };
  const alphaFor = (t: (typeof tables)[number], lambda: number) =>
    perCycle ? bestRow(t, lambda).alpha : Math.min(hi, Math.max(lo, 1 - Math.max(0, t.item.unitValue) / lambda));
  const fillAt = (lambda: number) => {
    if (!(totalDemand > 0)) return 1;
    const short = tables.reduce((s, t) => s + at(t.rows, alphaFor(t, lambda)).shortage, 0);
    return 1 - short / totalDemand;
  };
  const values = items.map((i) => Math.max(1e-12, i.unitValue));
  let lambdaLo = Math.min(...values, 1);
  let lambdaHi = (Math.max(...values, 1) / (1 - hi)) * (perCycle ? 1e4 : 10);
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
      const alpha = alphaFor(t, lambda);
      const row = at(t.rows, alpha);
      return {
        id: t.item.id,
        cycleServiceLevel: alpha,
        service: { kind: 'cycle_service', level: alpha, ...(alpha < 0.5 ? { allowBelowMean: true } : {}) },
        level: row.level,
        expectedShortagePerCycle: row.shortage,
        demandPerCycle: t.perCycle,
        reason: `Service level ${formatPercent(alpha)} for this item, set so that all items together reach a ${formatPercent(targetFillRate)} fill rate with the least stock value (unit value ${t.item.unitValue.toFixed(2)}: dearer items carry relatively less safety stock).`,
      };
    }),
  };
}

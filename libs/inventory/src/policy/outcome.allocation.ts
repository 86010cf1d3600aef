/** One setting an item could run with, and what it did (or is expected to do) over the same period. */
export interface OutcomeOption {
  /** The setting itself (e.g. a cycle service level); returned as chosen. */
  setting: number;
  /** Units served over the period with this setting. */
  served: number;
  /** What holding the stock cost over the period (e.g. Σ end-of-day stock value). */
  cost: number;
}

export interface OutcomeItem {
  id: string;
  /** Units demanded over the period (the same for every option). */
  demand: number;
  options: readonly OutcomeOption[];
}

export interface OutcomeAllocation {
  targetFillRate: number;
  /** Served ÷ demand over all items with the chosen options. */
  fillRate: number;
  cost: number;
  reachable: boolean;
  items: { id: string; setting: number; served: number; cost: number }[];
}

/** The options that are on the item's efficient frontier, cheapest first, each serving more per extra cost. */
function frontier(options: readonly OutcomeOption[]): OutcomeOption[] {
  const sorted = [...options].sort((a, b) => a.cost - b.cost || b.served - a.served);
  const hull: OutcomeOption[] = [];
  for (const o of sorted) {
    if (hull.length > 0 && o.served <= hull[hull.length - 1].served) continue;
    // Upper concave hull: drop the last point while it lies below the chord to the new one (collinear ones stay).
    while (hull.length >= 2) {
      const a = hull[hull.length - 2];
      const b = hull[hull.length - 1];
      if ((b.served - a.served) * (o.cost - a.cost) < (o.served - a.served) * (b.cost - a.cost)) hull.pop();
      else break;
    }
    hull.push(o);
  }
  return hull;
}

/**
 * Multiple-choice marginal analysis: every item starts at its cheapest option, then the step that serves the most
 * units per unit of extra cost, across all items, is taken until the aggregate fill rate reaches the target (steps
 * along each item's concave frontier of served vs cost, so an item's steps come in order; Everett 1963, generalised
 * Lagrange multipliers). Use it with measured outcomes (a backtest of each setting on a past period): stock then goes
 * where a £ bought the most fill, whatever the demand model got wrong — at the price of the period's own noise.
 */
export function allocateByOutcomes(items: readonly OutcomeItem[], targetFillRate: number): OutcomeAllocation {
  if (!(targetFillRate > 0 && targetFillRate <= 1)) throw new RangeError('targetFillRate must be in (0, 1]');
  const hulls = items.map((item) => {
    if (item.options.length === 0) throw new RangeError(`allocateByOutcomes: item ${item.id} has no option`);
    return frontier(item.options);
  });
  const chosen = hulls.map(() => 0);
  const demand = items.reduce((s, i) => s + Math.max(0, i.demand), 0);
  let served = hulls.reduce((s, h) => s + h[0].served, 0);
  const steps = hulls.flatMap((h, i) =>
    h.slice(1).map((o, k) => ({
      item: i,
      to: k + 1,
      slope: (o.served - h[k].served) / Math.max(1e-12, o.cost - h[k].cost),
    })),
  );
  // Equal slopes keep each item's own order (its frontier's steps have strictly decreasing slopes otherwise).
  steps.sort((a, b) => b.slope - a.slope || a.item - b.item || a.to - b.to);
  const goal = targetFillRate * demand;
  for (const s of steps) {
    if (served >= goal - 1e-9) break;
    if (s.to !== chosen[s.item] + 1) continue;
    served += hulls[s.item][s.to].served - hulls[s.item][chosen[s.item]].served;
    chosen[s.item] = s.to;
  }
  const picked = hulls.map((h, i) => h[chosen[i]]);
  return {
    targetFillRate,
    fillRate: demand > 0 ? served / demand : 1,
    cost: picked.reduce((s, o) => s + o.cost, 0),
    reachable: served >= goal - 1e-9,
    items: items.map((item, i) => ({
      id: item.id,
      setting: picked[i].setting,
      served: picked[i].served,
      cost: picked[i].cost,
    })),
  };
}

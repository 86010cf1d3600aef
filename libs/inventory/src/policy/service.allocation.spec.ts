import { ReplenishmentInput } from './replenishment.types';
import { allocateServiceLevels, expectedShortagePerCycle } from './service.allocation';
import { protectionDemand, protectionLevel, suggestReplenishment } from './replenishment.policy';

const item = (meanPerDay: number, sdPerDay: number): ReplenishmentInput => ({
  policy: 'periodic',
  service: { kind: 'fill_rate', level: 0.95 },
  demand: { meanPerDay, sdPerDay },
  supply: { leadTimeDays: 6, reviewPeriodDays: 1 },
  stock: { onHand: 0 },
});

const items = [
  { id: 'cheap', unitValue: 1, input: item(20, 8) },
  { id: 'mid', unitValue: 5, input: item(20, 8) },
  { id: 'dear', unitValue: 25, input: item(20, 8) },
];

describe(allocateServiceLevels.name, () => {
  it('reaches the aggregate fill rate and gives dearer items lower service (stock-out probability ∝ value)', () => {
    const a = allocateServiceLevels(items, 0.98);
    expect(a.reachable).toBe(true);
    expect(a.expectedFillRate).toBeGreaterThanOrEqual(0.98 - 1e-6);
    expect(a.expectedFillRate).toBeLessThan(0.9805);
    const [cheap, mid, dear] = a.items;
    expect(cheap.cycleServiceLevel).toBeGreaterThan(mid.cycleServiceLevel);
    expect(mid.cycleServiceLevel).toBeGreaterThan(dear.cycleServiceLevel);
    // Interior items satisfy 1 − α = v / λ.
    expect(1 - mid.cycleServiceLevel).toBeCloseTo(5 / a.lambda, 6);
    expect(dear.reason).toContain('98% fill rate');
  });

  it('holds less stock value than a uniform target with the same expected fill rate', () => {
    const a = allocateServiceLevels(items, 0.98);
    const allocatedValue = a.items.reduce((s, it, i) => s + items[i].unitValue * it.level, 0);
    const uniformValue = items.reduce(
      (s, it) =>
        s +
        it.unitValue *
          suggestReplenishment({ ...it.input, service: { kind: 'fill_rate', level: 0.98 } }).orderUpToLevel,
      0,
    );
    expect(allocatedValue).toBeLessThan(uniformValue);
  });

  it('lets cheap items go above 0.999 when the upper bound allows it', () => {
    const capped = allocateServiceLevels(items, 0.9993);
    const open = allocateServiceLevels(items, 0.9993, { max: 0.99999 });
    expect(capped.items[0].cycleServiceLevel).toBeLessThanOrEqual(0.999 + 1e-12);
    expect(open.items[0].cycleServiceLevel).toBeGreaterThan(0.999);
    expect(open.items[0].cycleServiceLevel).toBeLessThanOrEqual(0.99999 + 1e-12);
    expect(open.reachable).toBe(true);
    expect(open.expectedFillRate).toBeGreaterThanOrEqual(0.9993 - 1e-6);
  });

  it('says when the target cannot be reached within the bounds', () => {
    const a = allocateServiceLevels(items, 0.9999999, { max: 0.9 });
    expect(a.reachable).toBe(false);
    expect(a.items.every((i) => i.cycleServiceLevel <= 0.9 + 1e-12)).toBe(true);
  });

  it('keeps every level at or above the expected demand by default', () => {
    const a = allocateServiceLevels(items, 0.9);
    expect(a.items.every((i) => i.cycleServiceLevel >= 0.5 && !i.service.allowBelowMean)).toBe(true);
    expect(a.items.every((i) => i.level >= 140 - 1e-9)).toBe(true);
  });

  it('with a lower bound below 0.5, plans the dearest item below its expected demand and saves stock value', () => {
    const free = allocateServiceLevels(items, 0.7, { min: 0.05 });
    const floored = allocateServiceLevels(items, 0.7);
    expect(free.expectedFillRate).toBeGreaterThanOrEqual(0.7 - 1e-6);
    const dear = free.items[2];
    expect(dear.cycleServiceLevel).toBeLessThan(0.5);
    expect(dear.service).toEqual({ kind: 'cycle_service', level: dear.cycleServiceLevel, allowBelowMean: true });
    expect(dear.level).toBeLessThan(140);
    // The suggestion follows the allocated target below the mean (whole units, rounded up).
    const s = suggestReplenishment({ ...items[2].input, service: dear.service });
    expect(s.orderUpToLevel).toBe(Math.ceil(dear.level - 1e-6));
    const value = (a: typeof free) => a.items.reduce((t, it, i) => t + items[i].unitValue * it.level, 0);
    expect(value(free)).toBeLessThan(value(floored));
  });
});

describe(protectionLevel.name, () => {
  it('for a cycle service level below 0.5 returns the quantile below the mean only when allowed', () => {
    // Periodic, R = 1, L = 6: P = 7 days, mean 140, σ = 8·√7 = 21.166; Φ⁻¹(0.3) = −0.5244 → 140 − 11.10 = 128.90.
    const pd = protectionDemand(item(20, 8));
    expect(protectionLevel(pd, { kind: 'cycle_service', level: 0.3, allowBelowMean: true }, 20)).toBeCloseTo(128.9, 1);
    expect(protectionLevel(pd, { kind: 'cycle_service', level: 0.3 }, 20)).toBeCloseTo(140, 9);
  });
});

describe(expectedShortagePerCycle.name, () => {
  it('periodic review: E[(D_{R+L} − S)⁺] − E[(D_L − S)⁺], normal demand', () => {
    // d = 20, σ_d = 8, L = 6, R = 1, S = 150: σ₇ = 21.166, G(0.4725) = 0.20643 → 4.3693;
    // σ₆ = 19.596, G(1.5309) = 0.02730 → 0.5350; per cycle 3.8343 (vs 4.3693 over the whole protection period).
    const pd = protectionDemand(item(20, 8));
    expect(expectedShortagePerCycle(pd, 150)).toBeCloseTo(3.8343, 3);
    expect(pd.protection.expectedShortage(150)).toBeCloseTo(4.3693, 3);
  });

  it('continuous review: E[(D_L − s)⁺]', () => {
    const pd = protectionDemand({
      ...item(20, 8),
      policy: 'continuous',
      supply: { leadTimeDays: 6, orderQuantity: 50 },
    });
    expect(expectedShortagePerCycle(pd, 150)).toBeCloseTo(0.535, 3);
  });

  it('marginal-analysis allocation on the per-cycle shortage reaches the target', () => {
    const a = allocateServiceLevels(items, 0.98, { shortage: 'cycle' });
    expect(a.reachable).toBe(true);
    expect(a.expectedFillRate).toBeGreaterThanOrEqual(0.98 - 1e-6);
    const [cheap, , dear] = a.items;
    expect(cheap.cycleServiceLevel).toBeGreaterThan(dear.cycleServiceLevel);
    for (const it of a.items)
      expect(it.expectedShortagePerCycle).toBeCloseTo(
        expectedShortagePerCycle(protectionDemand(item(20, 8)), it.level),
        6,
      );
  });
});

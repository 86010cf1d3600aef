import { ReplenishmentInput } from './replenishment.types';
import { allocateServiceLevels } from './service.allocation';
import { suggestReplenishment } from './replenishment.policy';

const item = (meanPerDay: number, sdPerDay: number): ReplenishmentInput => ({
  policy: 'periodic',
  service: { kind: 'fill_rate', level: 0.95 },
  demand: { meanPerDay, sdPerDay },
  supply: { leadTimeDays: 6, reviewPeriodDays: 1 },
  stock: { onHand: 0 },
});

describe(allocateServiceLevels.name, () => {
  const items = [
    { id: 'cheap', unitValue: 1, input: item(20, 8) },
    { id: 'mid', unitValue: 5, input: item(20, 8) },
    { id: 'dear', unitValue: 25, input: item(20, 8) },
  ];

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

  it('says when the target cannot be reached within the bounds', () => {
    const a = allocateServiceLevels(items, 0.9999999, { max: 0.9 });
    expect(a.reachable).toBe(false);
    expect(a.items.every((i) => i.cycleServiceLevel <= 0.9 + 1e-12)).toBe(true);
  });
});

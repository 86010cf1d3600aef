import { normalLoss } from '@app/forecasting';
import {
  economicOrderQuantity,
  leadTimeDemandSd,
  newsvendorQuantity,
  roundOrderQuantity,
  safetyFactorForCycleService,
  safetyFactorForFillRate,
} from './inventory.math';

describe(economicOrderQuantity.name, () => {
  it('gives Q = 304.05 for K = 8, h = 0.225, λ = 1300', () => {
    expect(economicOrderQuantity({ orderingCost: 8, holdingCostPerUnitYear: 0.225, annualDemand: 1300 })).toBeCloseTo(
      304.05,
      2,
    );
  });

  it('is zero without demand and rejects a non-positive holding cost', () => {
    expect(economicOrderQuantity({ orderingCost: 8, holdingCostPerUnitYear: 0.225, annualDemand: 0 })).toBe(0);
    expect(() => economicOrderQuantity({ orderingCost: 8, holdingCostPerUnitYear: 0, annualDemand: 10 })).toThrow(
      /holding/,
    );
  });
});

describe(newsvendorQuantity.name, () => {
  it('gives S* = 56.60 for h = 0.18, p = 0.70 and demand N(50, 8²)', () => {
    const r = newsvendorQuantity({ overageCost: 0.18, underageCost: 0.7, mean: 50, sd: 8 });
    expect(r.criticalRatio).toBeCloseTo(0.7 / 0.88, 12);
    expect(r.quantity).toBeCloseTo(56.6, 2);
  });
});

describe(leadTimeDemandSd.name, () => {
  it('combines demand and lead-time variability: √(L·σ_d² + d²·σ_L²)', () => {
    expect(leadTimeDemandSd({ meanPerDay: 10, sdPerDay: 3, leadTimeDays: 4 })).toBeCloseTo(6, 12);
    expect(leadTimeDemandSd({ meanPerDay: 10, sdPerDay: 3, leadTimeDays: 4, leadTimeSdDays: 0.8 })).toBeCloseTo(10, 12);
  });
});

describe(safetyFactorForCycleService.name, () => {
  it('is Φ⁻¹(α)', () => {
    expect(safetyFactorForCycleService(0.95)).toBeCloseTo(1.6449, 4);
    expect(() => safetyFactorForCycleService(1)).toThrow(RangeError);
  });
});

describe(safetyFactorForFillRate.name, () => {
  it('solves σ·G(k) = (1 − β)·Q', () => {
    const k = safetyFactorForFillRate(0.98, 200, 50);
    expect(50 * normalLoss(k)).toBeCloseTo(0.02 * 200, 8);
    expect(k).toBeCloseTo(1.02, 2); // table: G(1.02) ≈ 0.0802
  });

  it('never plans below the expected demand', () => {
    expect(safetyFactorForFillRate(0.5, 1000, 10)).toBe(0);
  });
});

describe(roundOrderQuantity.name, () => {
  it('raises to the MOQ and rounds up to whole packs; zero stays zero', () => {
    expect(roundOrderQuantity(0)).toBe(0);
    expect(roundOrderQuantity(7, { packSize: 12 })).toBe(12);
    expect(roundOrderQuantity(25, { packSize: 12 })).toBe(36);
    expect(roundOrderQuantity(5, { minOrderQuantity: 30, packSize: 12 })).toBe(36);
    expect(roundOrderQuantity(24, { packSize: 12 })).toBe(24);
    expect(roundOrderQuantity(3.2)).toBe(4);
  });

  it('respects a cap by dropping whole packs, and drops the order when the cap is below the MOQ', () => {
    expect(roundOrderQuantity(50, { packSize: 12, maxOrderQuantity: 40 })).toBe(36);
    expect(roundOrderQuantity(5, { minOrderQuantity: 30, maxOrderQuantity: 20 })).toBe(0);
  });
});

import { forecastDemand } from '@app/forecasting';
import { demandFromForecast } from './forecast.adapter';
import { ReplenishmentInputError, suggestReplenishment } from './replenishment.policy';
import { ReplenishmentInput } from './replenishment.types';

const base: ReplenishmentInput = {
  sku: 'SKU-1',
  policy: 'continuous',
  service: { kind: 'cycle_service', level: 0.95 },
  demand: { meanPerDay: 10, sdPerDay: 3, source: { title: 'Holt damped trend', backtestMase: 0.81 } },
  supply: { leadTimeDays: 4, orderQuantity: 100 },
  stock: { onHand: 30, onOrder: 0 },
};

describe(suggestReplenishment.name, () => {
  it('computes (s, Q) with safety stock z·σ_LTD and explains it', () => {
    const s = suggestReplenishment(base);
    // σ_LTD = √4·3 = 6; SS = 1.645·6 = 9.87; s = ⌈40 + 9.87⌉ = 50.
    expect(s.leadTimeDemand).toBeCloseTo(40, 10);
    expect(s.protectionDemandSd).toBeCloseTo(6, 10);
    expect(s.safetyStock).toBe(10);
    expect(s.reorderPoint).toBe(50);
    expect(s.orderUpToLevel).toBe(150);
    expect(s.orderQuantity).toBe(120); // 150 − 30
    expect(s.daysOfCover).toBeCloseTo(3, 10);
    expect(s.reasons[0]).toBe('Demand ≈ 10/day (Holt damped trend, chosen by backtest MASE 0.81).');
    expect(s.reasons[1]).toBe(
      'Lead time 4 days → lead-time demand 40 units; safety stock 10 for a 95% service level (from a normal approximation).',
    );
    expect(s.reasons[2]).toBe('Stock 30 + 0 on order is below the reorder point 50: order 120.');
    // The same sentences, each with what it is about.
    expect(s.codedReasons.map((r) => r.text)).toEqual(s.reasons);
    expect(s.codedReasons.map((r) => r.code)).toEqual([
      'FORECAST.DEMAND',
      'POLICY.SAFETY_STOCK',
      'POLICY.ORDER',
      'POLICY.STOCKOUT_RISK',
    ]);
  });

  it('codes the no-order, excess and constraint sentences', () => {
    const s = suggestReplenishment({
      ...base,
      stock: { onHand: 400, onOrder: 0 },
      supply: { ...base.supply, unitCost: 2 },
      constraints: { demandNotes: ['Rule "Promo": demand × 1.2.'] },
    });
    expect(s.codedReasons.map((r) => r.code)).toEqual([
      'FORECAST.DEMAND',
      'POLICY.CONSTRAINT',
      'POLICY.SAFETY_STOCK',
      'POLICY.NO_ORDER_NEEDED',
      'POLICY.STOCKOUT_RISK',
      'POLICY.EXCESS',
    ]);
    expect(s.codedReasons[1].text).toBe('Rule "Promo": demand × 1.2.');
  });

  it('does not order above the reorder point, and reports the stock-out risk of the cycle', () => {
    const s = suggestReplenishment({ ...base, stock: { onHand: 80, onOrder: 0 } });
    expect(s.orderQuantity).toBe(0);
    expect(s.stockoutProbability).toBeCloseTo(0.05, 1);
    expect(s.reasons.some((r) => r.includes('is above the reorder point 50: no order needed'))).toBe(true);
  });

  it('adds lead-time variability: σ_LTD = √(L·σ_d² + d²·σ_L²)', () => {
    const s = suggestReplenishment({ ...base, supply: { ...base.supply, leadTimeSdDays: 1 } });
    expect(s.protectionDemandSd).toBeCloseTo(Math.sqrt(4 * 9 + 100 * 1), 10);
    expect(s.reasons[1]).toContain('Lead time 4 ± 1 days');
  });

  it('targets a fill rate through the normal loss function', () => {
    const s = suggestReplenishment({ ...base, service: { kind: 'fill_rate', level: 0.99 } });
    // G(k) = 0.01·100/6 = 0.1667 → k ≈ 0.587 → s = ⌈40 + 3.52⌉ = 44.
    expect(s.reorderPoint).toBe(44);
    expect(s.reasons[1]).toContain('99% fill rate');
  });

  it('computes (R, S) over review period + lead time', () => {
    const s = suggestReplenishment({ ...base, policy: 'periodic', supply: { leadTimeDays: 4, reviewPeriodDays: 7 } });
    // P = 11 days: mean 110, σ = 3·√11 = 9.95, S = ⌈110 + 16.37⌉ = 127.
    expect(s.protectionDays).toBe(11);
    expect(s.orderUpToLevel).toBe(127);
    expect(s.orderQuantity).toBe(97);
    expect(s.reasons[2]).toBe('Stock 30 + 0 on order is below the order-up-to level 127: order 97.');
  });

  it('rounds to the minimum order quantity and to packs, and says so', () => {
    const periodic: ReplenishmentInput = {
      ...base,
      policy: 'periodic',
      supply: { leadTimeDays: 4, reviewPeriodDays: 7, packSize: 12 },
    };
    const packs = suggestReplenishment(periodic);
    expect(packs.rawOrderQuantity).toBe(97);
    expect(packs.orderQuantity).toBe(108);
    expect(packs.reasons[2]).toContain('order 108 (need 97, rounded up to packs of 12)');
    const moq = suggestReplenishment({
      ...periodic,
      stock: { onHand: 120 },
      supply: { ...periodic.supply, minOrderQuantity: 50 },
    });
    expect(moq.rawOrderQuantity).toBe(7);
    expect(moq.orderQuantity).toBe(60);
    expect(moq.reasons[2]).toContain('need 7, raised to the minimum order of 50 and packs of 12');
  });

  it('treats backorders and negative on-hand as a lower inventory position', () => {
    const s = suggestReplenishment({ ...base, stock: { onHand: -20, onOrder: 50, backorders: 5 } });
    expect(s.inventoryPosition).toBe(25);
    expect(s.orderQuantity).toBe(125);
    expect(s.daysOfCover).toBeCloseTo(2.5, 10);
    expect(s.reasons[2]).toContain('Stock -20 + 50 on order − 5 backordered');
  });

  it('plans nothing for zero demand but still covers backorders', () => {
    const zero: ReplenishmentInput = { ...base, demand: { meanPerDay: 0, sdPerDay: 0 }, supply: { leadTimeDays: 4 } };
    const s = suggestReplenishment(zero);
    expect(s.reorderPoint).toBe(0);
    expect(s.safetyStock).toBe(0);
    expect(s.orderQuantity).toBe(0);
    expect(s.daysOfCover).toBeNull();
    expect(s.stockoutProbability).toBe(0);
    expect(s.excessUnits).toBe(30);
    const owed = suggestReplenishment({ ...zero, stock: { onHand: 0, backorders: 3 } });
    expect(owed.orderQuantity).toBe(3);
    const newItem = suggestReplenishment({
      ...zero,
      demand: { meanPerDay: 0, sdPerDay: 0, source: { title: 'no demand', historyDays: 0 } },
    });
    expect(newItem.reasons[0]).toContain('No sales history');
  });

  it('handles a huge lead time without overflow, extrapolating past the forecast', () => {
    const y = Array.from({ length: 200 }, (_, t) => 5 + (t % 7 === 0 ? 3 : 0));
    const forecast = forecastDemand({ values: y, frequency: 'day', horizon: 30 });
    const s = suggestReplenishment({
      ...base,
      demand: demandFromForecast(forecast),
      supply: { leadTimeDays: 400, leadTimeSdDays: 30, orderQuantity: 100 },
    });
    expect(s.leadTimeDemand).toBeGreaterThan(1800);
    expect(s.leadTimeDemand).toBeLessThan(2600);
    expect(Number.isFinite(s.reorderPoint)).toBe(true);
    expect(s.stockoutProbability).toBeGreaterThan(0.99);
    expect(s.reasons.some((r) => r.includes('exceeds the 30-day forecast'))).toBe(true);
  });

  it("uses the forecast's lead-time-demand quantiles directly in the distribution method", () => {
    const y = Array.from({ length: 300 }, (_, t) => [0, 0, 12, 0, 0, 0, 6][t % 7] + (t % 11 === 0 ? 5 : 0));
    const forecast = forecastDemand({
      values: y,
      frequency: 'day',
      horizon: 21,
      quantileLevels: [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99],
    });
    const demand = demandFromForecast(forecast);
    const s = suggestReplenishment({ ...base, demand, method: 'distribution' });
    expect(s.method).toBe('distribution');
    // The 95% level must lie between the forecast's 4-day cumulative 90% and 99% quantiles.
    expect(s.reorderPoint).toBeGreaterThanOrEqual(forecast.cumulative[3][4]);
    expect(s.reorderPoint).toBeLessThanOrEqual(Math.ceil(forecast.cumulative[3][6]));
    expect(s.reasons[1]).toContain("forecast's demand quantiles");
  });

  it('values the excess stock', () => {
    const s = suggestReplenishment({ ...base, stock: { onHand: 400 }, supply: { ...base.supply, unitCost: 2.5 } });
    expect(s.excessUnits).toBe(250);
    expect(s.excessValue).toBeCloseTo(625, 10);
    expect(s.reasons.at(-1)).toContain('exceeds the order-up-to level by 250 units (value 625)');
  });

  it('uses the EOQ as Q when costs are known', () => {
    const s = suggestReplenishment({
      ...base,
      demand: { meanPerDay: 1300 / 365, sdPerDay: 1 },
      supply: { leadTimeDays: 4, orderingCost: 8, unitCost: 0.9, holdingCostRate: 0.25 },
      stock: { onHand: 0 },
    });
    expect(s.economicOrderQuantity).toBeCloseTo(304.05, 2);
    expect(s.orderUpToLevel - s.reorderPoint).toBe(305);
  });

  it('rejects bad input with a code and the field name', () => {
    expect(() => suggestReplenishment({ ...base, service: { kind: 'cycle_service', level: 1 } })).toThrow(
      ReplenishmentInputError,
    );
    expect(() => suggestReplenishment({ ...base, supply: { leadTimeDays: -1 } })).toThrow(/leadTimeDays/);
    expect(() => suggestReplenishment({ ...base, method: 'distribution' })).toThrow(/cumulative/);
  });
});

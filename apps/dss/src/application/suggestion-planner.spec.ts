import { aRule, dailyRows, poissonSeries, supplyParameters } from '../../test/dss.builders';
import { buildForecast } from '../domain/forecast';
import { PlanningInput, planSuggestion } from './suggestion-planner';

const today = '2026-11-20'; // a Friday
const now = new Date(`${today}T06:00:00Z`);
const steady = buildForecast({
  forecastId: 'f1',
  sku: 'SKU-1',
  storeId: 'S1',
  rows: dailyRows(poissonSeries(10, 150), [], now),
  frequency: 'day',
  horizon: 28,
  quantileLevels: [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99],
  holdoutDays: 28,
  today,
  computedAt: now,
});

function plan(overrides: Partial<PlanningInput> = {}) {
  return planSuggestion({
    suggestionId: 's1',
    sku: 'SKU-1',
    storeId: 'S1',
    today,
    computedAt: now,
    forecast: steady.demand,
    forecastId: 'f1',
    item: { title: 'Chair', categories: ['garden'] },
    supply: supplyParameters(),
    stock: { onHand: 20, onOrder: 0, observedAt: now },
    rules: [],
    defaults: { leadTimeDays: 7, serviceLevel: 0.95, reviewPeriodDays: 7, holdingCostRate: 0.25, currency: 'EUR' },
    ...overrides,
  });
}

const texts = (s: { reasons: { text: string }[] }) => s.reasons.map((r) => r.text).join('\n');

describe('planSuggestion', () => {
  it('puts the reorder point at lead-time demand plus safety stock for steady demand of 10 a day', () => {
    const s = plan();
    expect(steady.demand.mean[0]).toBeGreaterThan(9);
    expect(steady.demand.mean[0]).toBeLessThan(11);
    expect(s.safetyStock).toBeGreaterThan(0);
    // s = ⌈70 ± a little for the forecast level + safety stock⌉.
    expect(Math.abs(s.reorderPoint - (70 + s.safetyStock))).toBeLessThanOrEqual(6);
    expect(s.reorderPoint).toBeGreaterThan(70);
    expect(s.orderQuantity).toBe(s.orderUpToLevel - 20);
    expect(s).toMatchObject({
      policy: 'continuous_review',
      leadTimeDays: 7,
      targetServiceLevel: 0.95,
      orderDate: today,
    });
    expect(s.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['FORECAST.DEMAND', 'POLICY.SAFETY_STOCK', 'POLICY.BELOW_REORDER_POINT']),
    );
    expect(texts(s)).toContain(`reorder point ${s.reorderPoint}: order ${s.orderQuantity}`);
  });

  it('says when it used the default supply parameters and when the stock is unknown', () => {
    const s = plan({ supply: undefined, stock: undefined });
    expect(s.reasons.slice(0, 2).map((r) => r.code)).toEqual(['DEFAULTS.SUPPLY_PARAMETERS', 'STOCK.UNKNOWN']);
    expect(s.reasons[0].text).toContain('assumed a lead time of 7 days and a 95% service level');
    expect(s.reasons[1].text).toContain('No stock position received');
    expect(s).toMatchObject({ onHand: 0, onOrder: 0, currency: 'EUR' });
  });

  it('rounds up to the minimum order and whole packs, and says so', () => {
    const s = plan({ supply: supplyParameters({ minOrderQty: 200, packSize: 12 }) });
    expect(s.orderQuantity).toBe(204);
    expect(texts(s)).toContain('raised to the minimum order of 200 and packs of 12');
  });

  it('names the rules that change the outcome', () => {
    const base = plan();
    const cap = plan({ rules: [aRule({ type: 'order_cap', maxUnits: 40 }, { category: 'garden' }, 'Garden cap')] });
    expect(cap.orderQuantity).toBe(40);
    expect(cap.reasons).toContainEqual(
      expect.objectContaining({ code: 'RULE.ORDER_CAP', text: expect.stringContaining('Rule "Garden cap"') }),
    );

    const off = plan({ rules: [aRule({ type: 'discontinued' }, { skus: ['SKU-1'] }, 'End of line')] });
    expect(off.orderQuantity).toBe(0);
    expect(off.reasons.find((r) => r.code === 'RULE.DISCONTINUED')).toMatchObject({
      text: expect.stringContaining('Rule "End of line": discontinued: not reordered'),
      ruleId: expect.any(String),
    });

    const promo = plan({
      rules: [aRule({ type: 'demand_uplift', startDate: today, endDate: '2026-12-31', factor: 2 }, {}, 'Xmas')],
    });
    expect(promo.orderQuantity).toBeGreaterThan(base.orderQuantity + 50);
    expect(promo.reorderPoint).toBeGreaterThan(base.reorderPoint + 50);
    expect(texts(promo)).toContain('Rule "Xmas": demand ×2');

    const floor = plan({ rules: [aRule({ type: 'stock_floor', minUnits: 500 }, { storeId: 'S1' }, 'Display')] });
    expect(floor.orderUpToLevel).toBe(500);
    expect(floor.reasons.map((r) => r.code)).toContain('RULE.STOCK_FLOOR');
  });

  it('waits for the supplier order day and dates the order on it', () => {
    const s = plan({ rules: [aRule({ type: 'supplier_order_days', days: [1, 3] }, {}, 'Supplier calendar')] });
    expect(s.orderQuantity).toBe(0);
    expect(s.orderDate).toBe('2026-11-23');
    expect(s.reasons.find((r) => r.code === 'RULE.SUPPLIER_ORDER_DAYS')?.text).toContain(
      'next order day Mon 2026-11-23',
    );
  });

  it('values excess stock at unit cost in minor units', () => {
    const s = plan({ stock: { onHand: 1000, onOrder: 0, observedAt: now } });
    expect(s.orderQuantity).toBe(0);
    expect(s.excessUnits).toBe(1000 - s.orderUpToLevel);
    expect(s.excessValueMinor).toBe(s.excessUnits * 250);
    expect(s.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['POLICY.NO_ORDER_NEEDED', 'POLICY.EXCESS']));
  });

  it('flags a stock count older than a week', () => {
    const s = plan({ stock: { onHand: 20, onOrder: 0, observedAt: new Date('2026-11-01T00:00:00Z') } });
    expect(s.reasons[0]).toMatchObject({
      code: 'STOCK.STALE',
      text: expect.stringContaining('2026-11-01 (19 days ago)'),
    });
  });
});

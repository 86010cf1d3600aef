import { ReplenishmentInput } from '../policy/replenishment.types';
import { PlanningRule } from './rule.types';
import { applicableRules, RuleValidationError, suggestWithRules } from './rules.engine';

const input: ReplenishmentInput = {
  sku: 'MUG-1',
  policy: 'periodic',
  service: { kind: 'cycle_service', level: 0.95 },
  demand: { meanPerDay: 10, sdPerDay: 3 },
  supply: { leadTimeDays: 4, reviewPeriodDays: 7, packSize: 12, unitCost: 2 },
  stock: { onHand: 30 },
};
const ctx = { sku: 'MUG-1', category: 'kitchen', store: 'LDN', date: '2024-03-20' }; // a Wednesday

describe(suggestWithRules.name, () => {
  it('changes nothing without rules', () => {
    const r = suggestWithRules(input, [], ctx);
    expect(r.firedRules).toEqual([]);
    expect(r.suggestion.orderQuantity).toBe(108);
  });

  it('never reorders a discontinued item and names the rule', () => {
    const rules: PlanningRule[] = [{ id: 'd1', name: 'End of line', type: 'discontinued', scope: { sku: 'MUG-1' } }];
    const r = suggestWithRules(input, rules, ctx);
    expect(r.suggestion.orderQuantity).toBe(0);
    expect(r.suggestion.excessUnits).toBe(30);
    expect(r.suggestion.excessValue).toBe(60);
    expect(r.firedRules.map((f) => f.ruleId)).toEqual(['d1']);
    expect(r.suggestion.reasons.some((s) => s.startsWith('Rule "End of line": discontinued: not reordered'))).toBe(
      true,
    );
  });

  it('caps the order quantity in whole packs; the item rule overrides the category rule', () => {
    const rules: PlanningRule[] = [
      { id: 'c1', name: 'Kitchen max 24', type: 'order_quantity_limit', scope: { category: 'kitchen' }, max: 24 },
      { id: 's1', name: 'Mug max 50', type: 'order_quantity_limit', scope: { sku: 'MUG-1' }, max: 50 },
    ];
    const r = suggestWithRules(input, rules, ctx);
    expect(r.suggestion.orderQuantity).toBe(48);
    expect(r.firedRules).toEqual([expect.objectContaining({ ruleId: 's1', type: 'order_quantity_limit' })]);
    expect(r.suggestion.reasons).toContain(
      'Rule "Mug max 50": order cap 50 limits the order from 108 to 48 (whole packs of 12).',
    );
  });

  it('applies stock-level floors and caps to the order-up-to level', () => {
    const floor = suggestWithRules(
      input,
      [{ id: 'f', name: 'Display minimum', type: 'stock_level_limit', scope: { store: 'LDN' }, min: 200 }],
      ctx,
    );
    expect(floor.suggestion.orderUpToLevel).toBe(200);
    expect(floor.suggestion.orderQuantity).toBe(180);
    expect(floor.firedRules[0].effect).toContain('stock floor 200 raises the order-up-to level from 127 to 200');
    const cap = suggestWithRules(
      input,
      [{ id: 'c', name: 'Shelf space', type: 'stock_level_limit', scope: {}, max: 100 }],
      ctx,
    );
    expect(cap.suggestion.orderUpToLevel).toBe(100);
    expect(cap.suggestion.orderQuantity).toBe(60); // 70 of room, whole packs of 12
    expect(cap.suggestion.inventoryPosition + cap.suggestion.orderQuantity).toBeLessThanOrEqual(100);
  });

  it('lifts demand for a promotion overlapping the protection period', () => {
    const promo: PlanningRule = {
      id: 'p',
      name: 'Spring promo',
      type: 'demand_event',
      scope: { category: 'kitchen' },
      from: '2024-03-22',
      to: '2024-03-31',
      multiplier: 2,
    };
    const r = suggestWithRules(input, [promo], ctx);
    // Protection 11 days (today + 10): the promotion covers days 2..10 → 9 days at ×2, expected demand 200.
    expect(r.suggestion.protectionDemand).toBeCloseTo(200, 8);
    expect(r.suggestion.orderUpToLevel).toBeGreaterThan(200);
    expect(r.firedRules[0]).toMatchObject({ ruleId: 'p', type: 'demand_event' });
    expect(r.suggestion.reasons).toContain(
      'Rule "Spring promo": demand ×2 from 2024-03-22 to 2024-03-31, 9 of the next 11 days.',
    );
    const later = suggestWithRules(input, [{ ...promo, from: '2024-05-01', to: '2024-05-07' }], ctx);
    expect(later.firedRules).toEqual([]);
    expect(later.suggestion.protectionDemand).toBeCloseTo(110, 8);
  });

  it('orders only on supplier order days, and sets the review period to the next order day', () => {
    const days: PlanningRule = { id: 'o', name: 'Acme order days', type: 'order_days', scope: {}, weekdays: [1, 4] }; // Mon, Thu
    const wednesday = suggestWithRules(input, [days], ctx);
    expect(wednesday.suggestion.orderQuantity).toBe(0);
    expect(wednesday.firedRules[0].effect).toContain('next order day Thu 2024-03-21');
    const thursday = suggestWithRules(input, [days], { ...ctx, date: '2024-03-21' });
    expect(thursday.suggestion.protectionDays).toBe(4 + 4); // Thu → Mon
    expect(thursday.suggestion.orderQuantity).toBeGreaterThan(0);
    expect(
      thursday.suggestion.reasons.some((r) =>
        r.startsWith('Rule "Acme order days": orders go out on Mon, Thu, so this order must last 4 days'),
      ),
    ).toBe(true);
  });

  it('ignores rules outside their validity dates or scope', () => {
    const rules: PlanningRule[] = [
      { id: 'old', name: 'Old', type: 'discontinued', scope: {}, validTo: '2024-01-31' },
      { id: 'other', name: 'Other store', type: 'discontinued', scope: { store: 'NYC' } },
    ];
    expect(applicableRules(rules, ctx)).toEqual([]);
    expect(suggestWithRules(input, rules, ctx).suggestion.orderQuantity).toBe(108);
  });

  it('rejects invalid rules naming the rule and the problem', () => {
    const bad = { id: 'x', name: 'Bad', type: 'order_quantity_limit', scope: {}, min: 10, max: 5 } as PlanningRule;
    expect(() => suggestWithRules(input, [bad], ctx)).toThrow(RuleValidationError);
    expect(() => suggestWithRules(input, [bad], ctx)).toThrow(/rule x: min is above max/);
  });
});

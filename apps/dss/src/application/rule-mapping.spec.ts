import { Rule, RuleDefinition, RuleScope } from '../domain/rule';
import { isoToWeekday, nextOrderDate, planningRulesFor, toPlanningRule } from './rule-mapping';

function rule(definition: RuleDefinition, scope: Partial<RuleScope> = {}, name = 'r'): Rule {
  return {
    ruleId: `id-${name}`,
    revision: 1,
    name,
    scope: { skus: [], ...scope },
    definition,
    enabled: true,
    changedBy: 'lee',
    changedAt: new Date('2026-11-01T00:00:00Z'),
    changeReason: '',
  };
}

const item = { sku: 'SKU-1', storeId: 'S1' };

describe('rule mapping', () => {
  it('maps each kind of DSS rule to the library rule', () => {
    expect(toPlanningRule(rule({ type: 'order_cap', maxUnits: 40 }, { skus: ['SKU-1'] }, 'Cap'), item)).toEqual({
      id: 'id-Cap',
      name: 'Cap',
      scope: { sku: 'SKU-1' },
      type: 'order_quantity_limit',
      max: 40,
    });
    expect(toPlanningRule(rule({ type: 'stock_floor', minUnits: 12 }, { storeId: 'S1' }), item)).toMatchObject({
      type: 'stock_level_limit',
      min: 12,
      scope: { store: 'S1' },
    });
    expect(
      toPlanningRule(
        rule({ type: 'demand_uplift', startDate: '2026-12-01', endDate: '2026-12-24', factor: 1.5 }),
        item,
      ),
    ).toMatchObject({ type: 'demand_event', from: '2026-12-01', to: '2026-12-24', multiplier: 1.5 });
    expect(toPlanningRule(rule({ type: 'discontinued' }, { category: 'garden' }), item)).toMatchObject({
      type: 'discontinued',
      scope: { category: '(matched)' },
    });
  });

  it('keeps a promotion without a validity window, so a future one lifts the current order', () => {
    const mapped = toPlanningRule(
      rule({ type: 'demand_uplift', startDate: '2027-01-10', endDate: '2027-01-20', factor: 2 }),
      item,
    );
    expect(mapped.validFrom).toBeUndefined();
    expect(mapped.validTo).toBeUndefined();
  });

  it('turns ISO weekdays (Monday 1 … Sunday 7) into the library weekdays (Sunday 0 … Saturday 6)', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(isoToWeekday)).toEqual([1, 2, 3, 4, 5, 6, 0]);
    expect(toPlanningRule(rule({ type: 'supplier_order_days', days: [7, 1, 3] }), item)).toMatchObject({
      type: 'order_days',
      weekdays: [0, 1, 3],
    });
  });

  it('keeps only the enabled rules that cover the item, whichever of its categories they name', () => {
    const rules = [
      rule({ type: 'order_cap', maxUnits: 10 }, { category: 'chairs' }, 'chairs'),
      rule({ type: 'order_cap', maxUnits: 20 }, { category: 'tables' }, 'tables'),
      rule({ type: 'order_cap', maxUnits: 30 }, { storeId: 'S2' }, 'other store'),
      { ...rule({ type: 'discontinued' }, { skus: ['SKU-1'] }, 'off'), enabled: false },
    ];
    const mapped = planningRulesFor(rules, { ...item, categories: ['garden', 'chairs'], date: '2026-11-20' });
    expect(mapped.rules.map((r) => r.name)).toEqual(['chairs']);
    expect(mapped.context).toEqual({ sku: 'SKU-1', store: 'S1', category: '(matched)', date: '2026-11-20' });
  });

  it('finds the next supplier order day (2026-11-20 is a Friday)', () => {
    const days = (d: number[], scope: Partial<RuleScope> = {}) =>
      toPlanningRule(rule({ type: 'supplier_order_days', days: d }, scope), item);
    expect(nextOrderDate([days([1, 3])], '2026-11-20')).toBe('2026-11-23');
    expect(nextOrderDate([days([5])], '2026-11-20')).toBe('2026-11-20');
    // The SKU's own calendar wins over the store's.
    expect(nextOrderDate([days([1], { storeId: 'S1' }), days([2], { skus: ['SKU-1'] })], '2026-11-20')).toBe(
      '2026-11-24',
    );
    expect(nextOrderDate([], '2026-11-20')).toBe('2026-11-20');
  });
});

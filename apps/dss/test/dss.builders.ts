import { randomUUID } from 'node:crypto';
import { DailyHistory } from '../src/domain/forecast';
import { Rule, RuleDefinition, RuleScope } from '../src/domain/rule';
import { Suggestion } from '../src/domain/suggestion';
import { SupplyParameters } from '../src/domain/supply-parameters';

/** Test data for the DSS, shared by the unit and integration tests. */

/** Deterministic Poisson draws (Knuth), so every run sees the same "random" demand. */
export function poissonSeries(mean: number, days: number, seed = 42): number[] {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const limit = Math.exp(-mean);
  return Array.from({ length: days }, () => {
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= uniform();
    } while (p > limit);
    return k - 1;
  });
}

/** `YYYY-MM-DD`, `offset` days from today (UTC). */
export function dayFromToday(offset: number, from = new Date()): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + offset));
  return d.toISOString().slice(0, 10);
}

/** Daily rows ending yesterday, oldest first. */
export function dailyRows(units: readonly number[], censoredDays: readonly number[] = [], today = new Date()) {
  return units.map((u, i) => ({
    day: dayFromToday(i - units.length, today),
    units: u,
    censored: censoredDays.includes(i),
  }));
}

/** The same days in the compact form a computation reads (`DailyHistory`). */
export function dailyHistory(
  units: readonly number[],
  censoredDays: readonly number[] = [],
  today = new Date(),
): DailyHistory {
  return { start: dayFromToday(-units.length, today), units: [...units], censoredDays: [...censoredDays] };
}

export function aRule(definition: RuleDefinition, scope: Partial<RuleScope> = {}, name = 'rule'): Rule {
  return {
    ruleId: randomUUID(),
    revision: 1,
    name,
    scope: { skus: [], ...scope },
    definition,
    enabled: true,
    changedBy: 'planner',
    changedAt: new Date('2026-11-01T00:00:00Z'),
    changeReason: '',
  };
}

export function supplyParameters(overrides: Partial<SupplyParameters> = {}): SupplyParameters {
  return {
    sku: 'SKU-1',
    storeId: '',
    leadTimeDays: 7,
    leadTimeStdDays: 0,
    unitCostMinor: 250,
    orderCostMinor: 0,
    currency: 'EUR',
    minOrderQty: 0,
    packSize: 1,
    serviceLevel: 0.95,
    reviewPeriodDays: 0,
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    updatedBy: 'buyer',
    ...overrides,
  };
}

export function aSuggestion(overrides: Partial<Suggestion> = {}): Suggestion {
  return {
    suggestionId: `s-${overrides.sku ?? 'SKU-1'}`,
    sku: 'SKU-1',
    storeId: 'S1',
    status: 'proposed',
    revision: 1,
    policy: 'continuous_review',
    orderQuantity: 60,
    reorderPoint: 41,
    safetyStock: 12,
    orderUpToLevel: 101,
    economicOrderQuantity: 58,
    inventoryPosition: 18,
    onHand: 18,
    onOrder: 0,
    daysOfCover: 4.3,
    stockoutProbability: 0.31,
    expectedUnitsShort: 2.1,
    excessUnits: 0,
    excessValueMinor: 0,
    currency: 'EUR',
    targetServiceLevel: 0.95,
    leadTimeDays: 7,
    orderDate: '2026-11-21',
    forecastModel: 'ets',
    reasons: [{ code: 'POLICY.BELOW_REORDER_POINT', text: 'Stock 18 is below the reorder point 41.' }],
    computedAt: new Date('2026-11-21T10:00:00Z'),
    ...overrides,
  };
}

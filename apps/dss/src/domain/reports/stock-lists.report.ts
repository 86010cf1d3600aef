import { Suggestion } from '../suggestion';
import { MoneyTotal, OverstockSection, StockoutRiskRow } from './report.types';

/** Open suggestions as the stock lists see them: with the item's title and whether its stock is known. */
export interface OpenSuggestion {
  suggestion: Suggestion;
  title: string;
}

const stockKnown = (s: Suggestion) => !s.reasons.some((r) => r.code === 'STOCK.UNKNOWN');
const discontinued = (s: Suggestion) => s.reasons.some((r) => r.code === 'RULE.DISCONTINUED');

/**
 * Open suggestions with any risk of running out before the next delivery, most at risk first. Discontinued items
 * are left out: running out of them is the plan.
 */
export function stockoutRiskList(open: readonly OpenSuggestion[]): { rows: StockoutRiskRow[] } {
  const rows = open
    .filter(({ suggestion: s }) => s.status === 'proposed' && s.stockoutProbability > 0 && !discontinued(s))
    .map(({ suggestion: s, title }): StockoutRiskRow => ({
      suggestionId: s.suggestionId,
      sku: s.sku,
      storeId: s.storeId,
      title,
      stockoutProbability: s.stockoutProbability,
      expectedUnitsShort: s.expectedUnitsShort,
      daysOfCover: s.daysOfCover,
      onHand: s.onHand,
      onOrder: s.onOrder,
      reorderPoint: s.reorderPoint,
      safetyStock: s.safetyStock,
      orderQuantity: s.orderQuantity,
      orderDate: s.orderDate,
      leadTimeDays: s.leadTimeDays,
      stockKnown: stockKnown(s),
    }))
    .sort(
      (a, b) =>
        b.stockoutProbability - a.stockoutProbability ||
        b.expectedUnitsShort - a.expectedUnitsShort ||
        a.storeId.localeCompare(b.storeId) ||
        a.sku.localeCompare(b.sku),
    );
  return { rows };
}

/** Open suggestions with stock above the order-up-to level, largest excess value first, with totals per currency. */
export function overstockList(open: readonly OpenSuggestion[]): OverstockSection {
  const rows = open
    .filter(({ suggestion: s }) => s.status === 'proposed' && s.excessUnits > 0)
    .map(({ suggestion: s, title }) => ({
      suggestionId: s.suggestionId,
      sku: s.sku,
      storeId: s.storeId,
      title,
      excessUnits: s.excessUnits,
      excessValueMinor: s.excessValueMinor,
      currency: s.currency,
      onHand: s.onHand,
      orderUpToLevel: s.orderUpToLevel,
      daysOfCover: s.daysOfCover,
    }))
    .sort(
      (a, b) =>
        b.excessValueMinor - a.excessValueMinor ||
        b.excessUnits - a.excessUnits ||
        a.storeId.localeCompare(b.storeId) ||
        a.sku.localeCompare(b.sku),
    );
  const totals = new Map<string, MoneyTotal>();
  for (const r of rows) {
    const t = totals.get(r.currency) ?? { currency: r.currency, excessUnits: 0, excessValueMinor: 0 };
    t.excessUnits += r.excessUnits;
    t.excessValueMinor += r.excessValueMinor;
    totals.set(r.currency, t);
  }
  return { rows, totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)) };
}

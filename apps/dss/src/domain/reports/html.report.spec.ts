import { aSuggestion } from '../../../test/dss.builders';
import { markupProblems, textOf } from '../../../test/markup.check';
import { classifyAbcXyz } from './abc-xyz.report';
import { HTML_TABLE_ROWS, reportToHtml } from './html.report';
import { ReportDocument, SkuChart } from './report.types';
import { overstockList, stockoutRiskList } from './stock-lists.report';
import { niceMax, niceTicks, skuChartSvg } from './svg.chart';

const open = [
  {
    suggestion: aSuggestion({ sku: 'SKU-<1>', stockoutProbability: 0.62, reorderPoint: 82, orderQuantity: 140 }),
    title: 'Salt & "Pepper"',
  },
  {
    suggestion: aSuggestion({ sku: 'SKU-2', stockoutProbability: 0, excessUnits: 30, excessValueMinor: 7550 }),
    title: '',
  },
];

const doc: ReportDocument = {
  kind: 'overview',
  title: 'Stock and forecast overview',
  generatedAt: '2026-11-20T10:00:00.000Z',
  scope: { storeId: 'S1', skus: [] },
  stockoutRisk: stockoutRiskList(open),
  overstock: overstockList(open),
  abcXyz: classifyAbcXyz(
    [{ sku: 'SKU-<1>', storeId: 'S1', title: 'Salt & "Pepper"', revenueMinor: 5000, weeklyUnits: [7, 7, 7] }],
    { fromWeek: '2025-11-17', toWeek: '2026-11-09', currency: 'EUR' },
  ),
};

const chart: SkuChart = {
  sku: 'SKU-<1>',
  storeId: 'S1',
  title: 'Salt & "Pepper"',
  history: Array.from({ length: 56 }, (_, i) => ({
    day: `2026-${i < 25 ? '09' : '10'}-${String((i % 25) + 1).padStart(2, '0')}`,
    units: 8 + (i % 5),
    censored: i === 50,
    onHand: 120 - i * 2,
  })),
  forecast: Array.from({ length: 28 }, (_, j) => ({
    day: `2026-11-${String(j + 1).padStart(2, '0')}`,
    mean: 10,
    low: 6,
    high: 14,
    cumMean: 10 * (j + 1),
    cumLow: 8 * (j + 1),
    cumHigh: 12 * (j + 1),
  })),
  model: 'Theta',
  suggestion: {
    reorderPoint: 82,
    safetyStock: 12,
    orderUpToLevel: 155,
    inventoryPosition: 18,
    orderQuantity: 140,
    stockoutProbability: 0.62,
    leadTimeDays: 7,
    stockKnown: true,
  },
};

describe('HTML report', () => {
  const html = reportToHtml(doc, [chart]);

  it('is a well-formed, self-contained page (no script, no external resource)', () => {
    expect(markupProblems(html)).toEqual([]);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|@import|url\(/i);
    expect(html.match(/https?:\/\/[^"]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('shows the tables with the numbers, escaping what items are called', () => {
    expect(textOf(html, 'stockout-risk-items')).toContain('SKU-<1> Salt & "Pepper" S1 62.0%');
    expect(textOf(html, 'stockout-risk-items')).toContain('82');
    expect(textOf(html, 'overstock-items')).toContain('SKU-2 S1 30 EUR 75.50');
    expect(textOf(html, 'abc-xyz-matrix')).toContain('AX 1 item EUR 50.00');
    expect(html).toContain('Salt &amp; &quot;Pepper&quot;');
  });

  it('draws the history, the forecast band and the reorder point for each charted item', () => {
    expect(html.match(/<svg /g)).toHaveLength(1);
    const svg = skuChartSvg(chart);
    expect(markupProblems(svg)).toEqual([]);
    expect(svg).toContain('reorder point 82');
    expect(svg).toContain('safety stock 12');
    expect(svg.match(/<polygon /g)).toHaveLength(2); // demand band and projected-stock band
    expect(svg).toContain('with this order');
    expect(svg.match(/<circle [^>]*stroke="#d62728"/g)).toHaveLength(2); // the stock-out day and its legend mark
    expect(textOf(html, 'charts')).toContain('order 140 now · risk 62.0% · reorder point 82');
  });

  it('caps long tables and says where the rest is', () => {
    const many = Array.from({ length: HTML_TABLE_ROWS + 5 }, (_, i) => ({
      suggestion: aSuggestion({ sku: `S${i}`, stockoutProbability: 0.5 }),
      title: '',
    }));
    const page = reportToHtml({ ...doc, kind: 'stockout_risk', stockoutRisk: stockoutRiskList(many) }, []);
    expect(page).toContain(`Showing the first ${HTML_TABLE_ROWS} of ${HTML_TABLE_ROWS + 5} rows`);
  });

  it('rounds axis maxima to readable values', () => {
    expect([0, 0.7, 7, 12, 180, 2600].map(niceMax)).toEqual([1, 1, 10, 20, 200, 5000]);
    expect(niceTicks(0, 14)).toEqual([0, 5, 10, 15]);
    expect(niceTicks(0, 157)).toEqual([0, 50, 100, 150, 200]);
  });
});

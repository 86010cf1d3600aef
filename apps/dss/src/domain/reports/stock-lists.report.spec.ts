import { aSuggestion } from '../../../test/dss.builders';
import { overstockList, stockoutRiskList } from './stock-lists.report';

describe('stock lists', () => {
  const open = [
    { suggestion: aSuggestion({ sku: 'LOW', stockoutProbability: 0.05 }), title: 'Low' },
    {
      suggestion: aSuggestion({ sku: 'NONE', stockoutProbability: 0, excessUnits: 30, excessValueMinor: 7500 }),
      title: '',
    },
    { suggestion: aSuggestion({ sku: 'HIGH', stockoutProbability: 0.9 }), title: 'High' },
    {
      suggestion: aSuggestion({
        sku: 'UNKNOWN',
        stockoutProbability: 0.5,
        reasons: [{ code: 'STOCK.UNKNOWN', text: 'No stock position received' }],
      }),
      title: '',
    },
    {
      suggestion: aSuggestion({ sku: 'MORE', stockoutProbability: 0, excessUnits: 5, excessValueMinor: 9000 }),
      title: '',
    },
    { suggestion: aSuggestion({ sku: 'DONE', status: 'accepted', stockoutProbability: 1 }), title: '' },
    {
      suggestion: aSuggestion({
        sku: 'GONE',
        stockoutProbability: 1,
        reasons: [{ code: 'RULE.DISCONTINUED', text: 'Rule "End of line": discontinued: not reordered.' }],
      }),
      title: '',
    },
  ];

  it('lists open suggestions at risk, most at risk first, and marks unknown stock (not discontinued items)', () => {
    const { rows } = stockoutRiskList(open);
    expect(rows.map((r) => [r.sku, r.stockoutProbability, r.stockKnown])).toEqual([
      ['HIGH', 0.9, true],
      ['UNKNOWN', 0.5, false],
      ['LOW', 0.05, true],
    ]);
    expect(rows[0]).toMatchObject({ title: 'High', reorderPoint: 41, orderQuantity: 60, onHand: 18 });
  });

  it('lists excess stock by value with totals per currency', () => {
    const o = overstockList(open);
    expect(o.rows.map((r) => [r.sku, r.excessUnits, r.excessValueMinor])).toEqual([
      ['MORE', 5, 9000],
      ['NONE', 30, 7500],
    ]);
    expect(o.totals).toEqual([{ currency: 'EUR', excessUnits: 35, excessValueMinor: 16500 }]);
  });
});

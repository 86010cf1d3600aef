import { aSuggestion } from '../../../test/dss.builders';
import { csvRecords, parseCsv } from '../../../test/markup.check';
import { classifyAbcXyz } from './abc-xyz.report';
import { csvField, reportToCsv, toCsv } from './csv.format';
import { ReportDocument } from './report.types';
import { stockoutRiskList } from './stock-lists.report';

const doc = (over: Partial<ReportDocument>): ReportDocument => ({
  kind: 'stockout_risk',
  title: 't',
  generatedAt: '2026-11-20T10:00:00.000Z',
  scope: { skus: [] },
  ...over,
});

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, and ends every record with CRLF', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    const text = toCsv(['a', 'b'], [['x,y', 'He said "no"\r\n']]);
    expect(text).toBe('a,b\r\n"x,y","He said ""no""\r\n"\r\n');
    expect(parseCsv(text)).toEqual([
      ['a', 'b'],
      ['x,y', 'He said "no"\r\n'],
    ]);
  });

  it('writes the stockout-risk list with a header row', () => {
    const risk = stockoutRiskList([{ suggestion: aSuggestion({ sku: 'A,1' }), title: 'Chair "Oslo"' }]);
    const records = csvRecords(reportToCsv(doc({ stockoutRisk: risk })));
    expect(records).toEqual([
      expect.objectContaining({
        sku: 'A,1',
        title: 'Chair "Oslo"',
        stockout_probability: '0.31',
        reorder_point: '41',
        order_quantity: '60',
        stock_known: 'true',
      }),
    ]);
  });

  it('writes money in major units beside its currency', () => {
    const abcXyz = classifyAbcXyz([{ sku: 'A', storeId: 'S1', title: '', revenueMinor: 123456, weeklyUnits: [1, 1] }], {
      fromWeek: '2026-01-05',
      toWeek: '2026-11-09',
      currency: 'EUR',
    });
    const [row] = csvRecords(reportToCsv(doc({ kind: 'abc_xyz', abcXyz })));
    expect(row).toMatchObject({ revenue: '1234.56', currency: 'EUR', class: 'AX', cv: '0' });
  });

  it('refuses the overview, which has several tables', () => {
    expect(() => reportToCsv(doc({ kind: 'overview' }))).toThrow(/several tables/);
  });
});

import { readCsvRecords } from './csv.reader';
import { parseInteractionsCsv } from './interactions-csv.parser';
import { parseMovieLensItems, parseMovieLensRatings } from './movielens.parser';
import { parseOnlineRetail } from './online-retail.parser';

describe(readCsvRecords.name, () => {
  it('handles quotes, escaped quotes, embedded newlines and CRLF', () => {
    const text = 'a,b,c\r\n1,"x, ""y""",3\n"multi\nline",,z\n';
    expect([...readCsvRecords(text)]).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"', '3'],
      ['multi\nline', '', 'z'],
    ]);
  });
});

describe(parseMovieLensRatings.name, () => {
  it('keeps every rating as an implicit interaction of weight 1', () => {
    const rows = parseMovieLensRatings('196\t242\t3\t881250949\n186\t302\t1\t891717742\n');
    expect(rows).toEqual([
      { userId: '196', itemId: '242', timestamp: 881250949, weight: 1, type: 'rating' },
      { userId: '186', itemId: '302', timestamp: 891717742, weight: 1, type: 'rating' },
    ]);
  });

  it('names the bad line', () => {
    expect(() => parseMovieLensRatings('1\t2\t3\t4\nbroken\n')).toThrow(/line 2/);
  });

  it('reads titles and genre flags from u.item', () => {
    const [item] = parseMovieLensItems(
      '1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n',
    );
    expect(item).toEqual({
      itemId: '1',
      title: 'Toy Story (1995)',
      categories: ['Animation', "Children's", 'Comedy'],
      attributes: { decade: '1990s' },
    });
  });
});

describe(parseOnlineRetail.name, () => {
  const csv = [
    'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
    '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom',
    '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2010-12-01 08:26:00,2.55,17850,United Kingdom',
    '536366,22633,"HAND WARMER, UNION JACK",6,2010-12-01 08:28:00,1.85,17850,United Kingdom',
    'C536379,22633,HAND WARMER,-1,2010-12-01 09:41:00,1.85,14527,United Kingdom',
    '536370,POST,POSTAGE,3,2010-12-01 08:45:00,18,12583,France',
    '536414,22139,,56,2010-12-01 11:52:00,0,,United Kingdom',
    'A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,United Kingdom',
    '536367,84879,ASSORTED COLOUR BIRD ORNAMENT,0,2010-12-01 08:34:00,1.69,13047,United Kingdom',
  ].join('\n');

  it('keeps purchases of products by known customers, one per invoice line', () => {
    const { interactions, items, stats } = parseOnlineRetail(csv);
    expect(interactions).toEqual([
      {
        userId: '17850',
        itemId: '85123A',
        timestamp: Date.UTC(2010, 11, 1, 8, 26) / 1000,
        weight: 1,
        type: 'purchase',
      },
      { userId: '17850', itemId: '22633', timestamp: Date.UTC(2010, 11, 1, 8, 28) / 1000, weight: 1, type: 'purchase' },
    ]);
    expect(items).toContainEqual({ itemId: '22633', title: 'HAND WARMER, UNION JACK' });
    expect(stats.rows).toBe(8);
    expect(stats.dropped).toEqual({
      'same item twice on one invoice': 1,
      cancellation: 1,
      'non-product code': 1,
      'no customer': 2,
      'non-positive quantity or price': 1,
    });
  });
});

describe(parseInteractionsCsv.name, () => {
  it('finds columns by common names and reads seconds, milliseconds and ISO dates', () => {
    const rows = parseInteractionsCsv(
      'userId,SKU,timestamp,event_type\nu1,a,1700000000,view\nu2,b,1700000000000,purchase\nu3,c,2023-11-14T22:13:20Z,\n',
    );
    expect(rows.map((r) => r.timestamp)).toEqual([1700000000, 1700000000, 1700000000]);
    expect(rows[1]).toEqual({ userId: 'u2', itemId: 'b', timestamp: 1700000000, type: 'purchase' });
  });

  it('says which columns are missing', () => {
    expect(() => parseInteractionsCsv('who,what\n1,2\n')).toThrow(/needs user, item, timestamp/);
  });
});

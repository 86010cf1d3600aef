import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readImportBatches } from './import-batches.reader';
import { ImportBatch, ImportReaderOptions } from './import.types';

const FIXTURES = join(__dirname, '../../../test/fixtures');
const fixture = (name: string) => join(FIXTURES, name);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'import-reader-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a temp file (gzip-compressed when asked, under a name that does not say so). */
function tempFile(name: string, content: string | Buffer, gzip = false): string {
  const path = join(dir, name);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

async function readAll(options: ImportReaderOptions): Promise<ImportBatch[]> {
  const batches: ImportBatch[] = [];
  for await (const batch of readImportBatches(options)) batches.push(batch);
  return batches;
}

/** A batch without the progress figure, which depends on read-ahead for gzip files. */
function comparable(batch: ImportBatch, gzip: boolean): Partial<ImportBatch> {
  const { bytesRead, ...rest } = batch;
  return gzip ? rest : { ...rest, bytesRead };
}

/**
 * Resumes after every batch boundary and checks the rest equals the uninterrupted read exactly.
 * Online-retail items may be emitted again after a resume (the "seen" set starts empty), so for that
 * format item records are compared apart: each uninterrupted one must also be in the resumed batch.
 */
async function expectExactResume(options: ImportReaderOptions, gzip: boolean): Promise<ImportBatch[]> {
  const full = await readAll(options);
  expect(full.length).toBeGreaterThan(2);
  let rows = 0;
  for (let i = 0; i < full.length; i += 1) {
    rows += full[i].rowsRead;
    const rest = await readAll({ ...options, startOffset: full[i].endOffset, startRow: rows });
    expect(rest.length).toBe(full.length - i - 1);
    rest.forEach((batch, k) => {
      const expected = full[i + 1 + k];
      if (options.format === 'online-retail') {
        const withoutItems = (b: ImportBatch) => ({
          ...comparable(b, gzip),
          records: b.records.filter((r) => r.kind !== 'item'),
        });
        expect(withoutItems(batch)).toEqual(withoutItems(expected));
        expect(batch.records).toEqual(expect.arrayContaining(expected.records.filter((r) => r.kind === 'item')));
      } else {
        expect(comparable(batch, gzip)).toEqual(comparable(expected, gzip));
      }
    });
  }
  return full;
}

const rowsOf = (batches: ImportBatch[]) => batches.flatMap((b) => b.records.map((r) => [r.row, r.record]));

describe(readImportBatches.name, () => {
  describe('movielens', () => {
    it('reads u.data (tab-separated) into rating interactions', async () => {
      const batches = await readAll({ format: 'movielens', path: fixture('movielens.u.data') });
      expect(batches).toHaveLength(1);
      expect(batches[0].records).toEqual([
        {
          row: 1,
          kind: 'interaction',
          record: {
            eventId: 'ml:196:242',
            type: 'rating',
            userId: '196',
            itemId: '242',
            rating: 3,
            occurredAt: 881250949,
          },
        },
        {
          row: 2,
          kind: 'interaction',
          record: {
            eventId: 'ml:186:302',
            type: 'rating',
            userId: '186',
            itemId: '302',
            rating: 3,
            occurredAt: 891717742,
          },
        },
        {
          row: 3,
          kind: 'interaction',
          record: {
            eventId: 'ml:22:377',
            type: 'rating',
            userId: '22',
            itemId: '377',
            rating: 1,
            occurredAt: 878887116,
          },
        },
        {
          row: 5,
          kind: 'interaction',
          record: {
            eventId: 'ml:244:51',
            type: 'rating',
            userId: '244',
            itemId: '51',
            rating: 2,
            occurredAt: 880606923,
          },
        },
        {
          row: 7,
          kind: 'interaction',
          record: {
            eventId: 'ml:298:474',
            type: 'rating',
            userId: '298',
            itemId: '474',
            rating: 4,
            occurredAt: 884182806,
          },
        },
      ]);
      expect(batches[0].skipped).toEqual({ EMPTY_LINE: 1 });
      expect(batches[0].malformed).toEqual([
        {
          row: 6,
          line: '166\t346\t1',
          code: 'WRONG_COLUMN_COUNT',
          message: 'expected 4 tab- or ::-separated fields (user, item, rating, time), found 3',
        },
      ]);
      expect(batches[0].rowsRead).toBe(7);
    });

    it('reads ML-1M ratings.dat (:: separated, CRLF endings)', async () => {
      const [batch] = await readAll({ format: 'movielens', path: fixture('movielens.ratings.dat') });
      expect(batch.records.map((r) => r.record)).toEqual([
        { eventId: 'ml:1:1193', type: 'rating', userId: '1', itemId: '1193', rating: 5, occurredAt: 978300760 },
        { eventId: 'ml:1:661', type: 'rating', userId: '1', itemId: '661', rating: 3, occurredAt: 978302109 },
        { eventId: 'ml:2:1357', type: 'rating', userId: '2', itemId: '1357', rating: 5, occurredAt: 978298709 },
      ]);
    });
  });

  describe('csv', () => {
    it('maps columns to (nested) camelCase fields, drops empty cells and splits list cells', async () => {
      const [batch] = await readAll({ format: 'csv', kind: 'item', path: fixture('catalogue.sample.csv') });
      expect(batch.records).toEqual([
        {
          row: 1,
          kind: 'item',
          record: {
            itemId: '85123A',
            title: 'WHITE HANGING HEART T-LIGHT HOLDER',
            unitPrice: { amount: '2.55', currency: 'GBP' },
            categories: ['Home', 'Candles'],
            attributes: { colour: 'white', pattern_name: 'hearts' },
            brand: 'Acme',
            available: 'true',
          },
        },
        {
          row: 2,
          kind: 'item',
          record: {
            itemId: '71053',
            title: 'WHITE METAL LANTERN, LARGE',
            unitPrice: { amount: '3.39', currency: 'GBP' },
            categories: ['Home', 'Lighting'],
            available: 'false',
          },
        },
        {
          row: 3,
          kind: 'item',
          record: { itemId: '84406B', title: 'CREAM CUPID "HEARTS" COAT HANGER', attributes: { colour: 'cream' } },
        },
        {
          row: 4,
          kind: 'item',
          record: {
            itemId: '22041',
            title: 'RECORD FRAME\n7" SINGLE SIZE',
            unitPrice: { amount: '2.1', currency: 'GBP' },
            categories: ['Frames'],
            available: 'true',
          },
        },
        {
          row: 6,
          kind: 'item',
          record: {
            itemId: '82567',
            title: 'AIRLINE LOUNGE METAL SIGN',
            unitPrice: { amount: '2.1', currency: 'GBP' },
            brand: 'Acme',
          },
        },
      ]);
      expect(batch.malformed).toEqual([
        {
          row: 5,
          line: '22423,BROKEN,ROW',
          code: 'WRONG_COLUMN_COUNT',
          message: 'expected 9 fields as in the header, found 3',
        },
      ]);
      expect(batch.rowsRead).toBe(6);
    });

    it('takes differently named columns from columnMapping', async () => {
      const path = tempFile('mapped.csv', 'sku,who,when,kind,price\nA1,u1,2024-05-01T10:00:00Z,view,\n');
      const [batch] = await readAll({
        format: 'csv',
        kind: 'interaction',
        path,
        columnMapping: { itemId: 'sku', userId: 'who', occurredAt: 'when', type: 'kind', 'unitPrice.amount': 'price' },
      });
      expect(batch.records).toEqual([
        {
          row: 1,
          kind: 'interaction',
          record: { itemId: 'A1', userId: 'u1', occurredAt: '2024-05-01T10:00:00Z', type: 'view' },
        },
      ]);
    });

    it('ignores a column whose field the mapping gives to another column', async () => {
      const path = tempFile('override.csv', 'item_id,code\nold,new\n');
      const [batch] = await readAll({ format: 'csv', kind: 'item', path, columnMapping: { itemId: 'code' } });
      expect(batch.records.map((r) => r.record)).toEqual([{ itemId: 'new' }]);
    });

    it('splits shownItemIds on |', async () => {
      const path = tempFile('shown.csv', 'event_id,shown_item_ids,context.page\ne1,a|b|c,home\n');
      const [batch] = await readAll({ format: 'csv', kind: 'interaction', path });
      expect(batch.records[0].record).toEqual({
        eventId: 'e1',
        shownItemIds: ['a', 'b', 'c'],
        context: { page: 'home' },
      });
    });

    it('handles a BOM, CRLF endings, quoted CRLF newlines, a last line without newline, and a file ending in an open quote', async () => {
      const content =
        '\uFEFFitem_id,title\r\n' +
        'A1,"Two\r\nlines, one ""quote"""\r\n' +
        '\r\n' +
        'A2,plain\r\n' +
        'A3,"unclosed\r\nA4,x';
      const [batch] = await readAll({ format: 'csv', kind: 'item', path: tempFile('crlf.csv', content) });
      expect(batch.records).toEqual([
        { row: 1, kind: 'item', record: { itemId: 'A1', title: 'Two\r\nlines, one "quote"' } },
        { row: 3, kind: 'item', record: { itemId: 'A2', title: 'plain' } },
      ]);
      expect(batch.skipped).toEqual({ EMPTY_LINE: 1 });
      expect(batch.malformed).toEqual([
        {
          row: 4,
          line: 'A3,"unclosed\r\nA4,x',
          code: 'UNTERMINATED_QUOTE',
          message: 'the file ends inside a quoted field',
        },
      ]);
      expect(batch.endOffset).toBe(Buffer.byteLength(content));
    });

    it('reports a row with text after a closing quote as malformed and goes on', async () => {
      const path = tempFile('badquote.csv', 'item_id,title\nA1,"x"y\nA2,ok\n');
      const [batch] = await readAll({ format: 'csv', kind: 'item', path });
      expect(batch.malformed).toEqual([
        { row: 1, line: 'A1,"x"y', code: 'BAD_QUOTE', message: 'field 2 has text after its closing quote' },
      ]);
      expect(batch.records.map((r) => r.record)).toEqual([{ itemId: 'A2', title: 'ok' }]);
    });

    it.each([
      ['a mapped column that is missing', 'item_id\nA1\n', { itemId: 'sku' }, 'IMPORT.MISSING_COLUMN'],
      ['two columns for one field', 'item_id,itemId\nA1,A2\n', {}, 'IMPORT.BAD_HEADER'],
      ['a column inside another', 'price,price.amount\n1,2\n', {}, 'IMPORT.BAD_HEADER'],
      ['a prototype key', 'constructor\n1\n', {}, 'IMPORT.BAD_HEADER'],
      ['a mapping onto the prototype', 'item_id\n1\n', { '__proto__.polluted': 'item_id' }, 'IMPORT.BAD_HEADER'],
      ['no header at all', '', {}, 'IMPORT.MISSING_HEADER'],
    ])('refuses %s', async (_, content, columnMapping, code) => {
      const path = tempFile('bad-header.csv', content);
      await expect(readAll({ format: 'csv', kind: 'item', path, columnMapping })).rejects.toMatchObject({ code });
    });
  });

  describe('ndjson', () => {
    it('reads one object per line, skips blank lines and reports bad JSON and non-objects', async () => {
      const [batch] = await readAll({
        format: 'ndjson',
        kind: 'interaction',
        path: fixture('interactions.sample.ndjson'),
      });
      expect(batch.records).toEqual([
        {
          row: 1,
          kind: 'interaction',
          record: { eventId: 'e1', type: 'view', userId: 'u1', itemId: '85123A', occurredAt: '2024-05-01T10:00:00Z' },
        },
        {
          row: 2,
          kind: 'interaction',
          record: {
            eventId: 'e2',
            type: 'purchase',
            sessionId: 's9',
            itemId: '71053',
            quantity: 2,
            unitPrice: { amount: '3.39', currency: 'GBP' },
          },
        },
        {
          row: 7,
          kind: 'interaction',
          record: {
            eventId: 'e4',
            type: 'impression',
            userId: 'u1',
            shownItemIds: ['a', 'b'],
            context: { page: 'home' },
          },
        },
        { row: 9, kind: 'interaction', record: { eventId: 'e5', type: 'click', userId: 'u2', itemId: 'é-42' } },
      ]);
      expect(batch.skipped).toEqual({ EMPTY_LINE: 2 });
      expect(batch.malformed.map(({ row, line, code }) => ({ row, line, code }))).toEqual([
        { row: 4, line: '{"eventId":"e3","type":"view",', code: 'BAD_JSON' },
        { row: 5, line: '[1,2,3]', code: 'NOT_AN_OBJECT' },
        { row: 8, line: 'null', code: 'NOT_AN_OBJECT' },
      ]);
      expect(batch.malformed[1].message).toBe('expected a JSON object, found an array');
      expect(batch.rowsRead).toBe(9);
    });
  });

  describe('batches and resume', () => {
    it('cuts batches of batchRows rows and reports offsets and progress', async () => {
      const path = fixture('movielens.u.data');
      const size = readFileSync(path).length;
      const batches = await readAll({ format: 'movielens', path, batchRows: 3 });
      expect(batches.map((b) => b.rowsRead)).toEqual([3, 3, 1]);
      expect(batches.map((b) => b.endOffset)).toEqual([59, 89, size]);
      expect(batches.map((b) => b.bytesRead)).toEqual([59, 89, size]);
      expect(batches.every((b) => b.fileSize === size)).toBe(true);
    });

    const cases: Array<[string, Omit<ImportReaderOptions, 'path'>, string]> = [
      [
        'online-retail',
        { format: 'online-retail', batchRows: 4 },
        readFileSync(fixture('online-retail.sample.csv'), 'utf8'),
      ],
      ['movielens', { format: 'movielens', batchRows: 2 }, readFileSync(fixture('movielens.u.data'), 'utf8')],
      ['csv', { format: 'csv', kind: 'item', batchRows: 2 }, readFileSync(fixture('catalogue.sample.csv'), 'utf8')],
      [
        'ndjson',
        { format: 'ndjson', kind: 'interaction', batchRows: 2 },
        readFileSync(fixture('interactions.sample.ndjson'), 'utf8'),
      ],
      [
        'csv with BOM, CRLF, quoted newlines and no final newline',
        { format: 'csv', kind: 'item', batchRows: 1 },
        '\uFEFFitem_id,title\r\nA1,"Two\r\nlines"\r\n\r\nA2,"x\ny"\r\nA3,"a ""b"" c"\r\nA4,last',
      ],
      [
        'ndjson with BOM and CRLF',
        { format: 'ndjson', kind: 'user', batchRows: 1 },
        '\uFEFF{"userId":"u1"}\r\n\r\n{"userId":"u2"}\r\n{"userId":"u3"}',
      ],
    ];

    describe.each([false, true])('gzip %s', (gzip) => {
      it.each(cases)('resumes %s after every batch exactly', async (name, options, content) => {
        const path = tempFile(`${name.replace(/\W+/g, '-')}.${gzip ? 'gz' : 'plain'}`, content, gzip);
        const full = await expectExactResume({ ...options, path }, gzip);
        // Same rows as one single batch, and the last batch ends at the end of the data.
        const [whole] = await readAll({ ...options, path, batchRows: 10_000 });
        expect(rowsOf(full)).toEqual(rowsOf([whole]));
        expect(full[full.length - 1].endOffset).toBe(Buffer.byteLength(content));
        expect(full[full.length - 1].bytesRead).toBe(full[0].fileSize);
      });
    });

    it('reads a .gz the same as the plain file and counts compressed bytes for progress', async () => {
      const content = readFileSync(fixture('online-retail.sample.csv'));
      const plain = await readAll({ format: 'online-retail', path: fixture('online-retail.sample.csv') });
      const gzPath = tempFile('retail.csv.gz', content, true);
      const gz = await readAll({ format: 'online-retail', path: gzPath });
      expect(gz.map((b) => comparable(b, true))).toEqual(
        plain.map((b) => ({ ...comparable(b, true), fileSize: gzipSync(content).length })),
      );
      expect(gz[0].bytesRead).toBe(gzipSync(content).length);
    });

    it('yields nothing when resumed at the end', async () => {
      const path = fixture('movielens.u.data');
      const size = readFileSync(path).length;
      expect(await readAll({ format: 'movielens', path, startOffset: size, startRow: 7 })).toEqual([]);
    });

    it.each([false, true])('refuses an offset that is not a line start (gzip %s)', async (gzip) => {
      const path = tempFile(`offsets.${gzip}`, 'item_id,title\nA1,x\nA2,y\n', gzip);
      const read = (startOffset: number) => readAll({ format: 'csv', kind: 'item', path, startOffset });
      await expect(read(16)).rejects.toMatchObject({ code: 'IMPORT.BAD_OFFSET' });
      await expect(read(4)).rejects.toMatchObject({
        code: 'IMPORT.BAD_OFFSET',
        message: expect.stringContaining('header'),
      });
      await expect(read(100)).rejects.toMatchObject({ code: 'IMPORT.BAD_OFFSET' });
      expect(rowsOf(await read(19))).toEqual([[1, { itemId: 'A2', title: 'y' }]]);
    });

    it.each([
      [{ format: 'csv' }, 'kind is required for csv'],
      [{ format: 'ndjson' }, 'kind is required for ndjson'],
      [{ format: 'movielens', batchRows: 0 }, 'batchRows must be an integer >= 1'],
      [{ format: 'movielens', startOffset: -1 }, 'startOffset must be an integer >= 0'],
      [{ format: 'xml' }, 'format must be one of'],
      [{ format: 'csv', kind: 'order' }, 'kind must be one of'],
    ])('refuses bad options %j', async (options, message) => {
      const path = fixture('movielens.u.data');
      await expect(readAll({ path, ...options } as ImportReaderOptions)).rejects.toMatchObject({
        code: 'IMPORT.INVALID_OPTIONS',
        message: expect.stringContaining(message),
      });
    });

    it('refuses an online-retail file without the expected columns', async () => {
      const path = tempFile('not-retail.csv', 'InvoiceNo,StockCode\n1,2\n');
      await expect(readAll({ format: 'online-retail', path })).rejects.toMatchObject({
        code: 'IMPORT.MISSING_COLUMN',
        message: expect.stringContaining('Description'),
      });
    });
  });
});

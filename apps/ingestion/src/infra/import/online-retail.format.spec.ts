import { join } from 'node:path';
import { readImportBatches } from './import-batches.reader';
import { ImportBatch } from './import.types';
import { isOnlineRetailNonProduct } from './online-retail.format';

const FIXTURE = join(__dirname, '../../../test/fixtures/online-retail.sample.csv');

async function readAll(batchRows?: number): Promise<ImportBatch[]> {
  const batches: ImportBatch[] = [];
  for await (const batch of readImportBatches({ format: 'online-retail', path: FIXTURE, batchRows }))
    batches.push(batch);
  return batches;
}

const gbp = (amount: string) => ({ amount, currency: 'GBP' });
const page = { page: 'online-retail-import' };

describe('online-retail format', () => {
  it('turns each product row into an item (first sight), a sales line and a purchase', async () => {
    const [batch, ...more] = await readAll();
    expect(more).toEqual([]);
    expect(batch.records).toEqual([
      // 1: normal sale
      {
        row: 1,
        kind: 'item',
        record: {
          itemId: '85123A',
          title: 'WHITE HANGING HEART T-LIGHT HOLDER',
          price: gbp('2.55'),
          attributes: {},
          updatedAt: '2010-12-01 08:26:00',
        },
      },
      {
        row: 1,
        kind: 'sales_line',
        record: {
          lineId: '536365:1',
          invoiceId: '536365',
          sku: '85123A',
          storeId: 'online',
          quantity: 6,
          unitPrice: gbp('2.55'),
          type: 'sale',
          soldAt: '2010-12-01 08:26:00',
          customerId: '17850',
        },
      },
      {
        row: 1,
        kind: 'interaction',
        record: {
          eventId: 'or:536365:1',
          type: 'purchase',
          userId: '17850',
          itemId: '85123A',
          occurredAt: '2010-12-01 08:26:00',
          quantity: 6,
          unitPrice: gbp('2.55'),
          context: page,
        },
      },
      // 2: another item on the same invoice
      {
        row: 2,
        kind: 'item',
        record: {
          itemId: '71053',
          title: 'WHITE METAL LANTERN',
          price: gbp('3.39'),
          attributes: {},
          updatedAt: '2010-12-01 08:26:00',
        },
      },
      {
        row: 2,
        kind: 'sales_line',
        record: {
          lineId: '536365:2',
          invoiceId: '536365',
          sku: '71053',
          storeId: 'online',
          quantity: 6,
          unitPrice: gbp('3.39'),
          type: 'sale',
          soldAt: '2010-12-01 08:26:00',
          customerId: '17850',
        },
      },
      {
        row: 2,
        kind: 'interaction',
        record: {
          eventId: 'or:536365:2',
          type: 'purchase',
          userId: '17850',
          itemId: '71053',
          occurredAt: '2010-12-01 08:26:00',
          quantity: 6,
          unitPrice: gbp('3.39'),
          context: page,
        },
      },
      // 3: a stock code seen before: no second item
      {
        row: 3,
        kind: 'sales_line',
        record: {
          lineId: '536366:3',
          invoiceId: '536366',
          sku: '85123A',
          storeId: 'online',
          quantity: 4,
          unitPrice: gbp('2.55'),
          type: 'sale',
          soldAt: '2010-12-01 08:28:00',
          customerId: '17851',
        },
      },
      {
        row: 3,
        kind: 'interaction',
        record: {
          eventId: 'or:536366:3',
          type: 'purchase',
          userId: '17851',
          itemId: '85123A',
          occurredAt: '2010-12-01 08:28:00',
          quantity: 4,
          unitPrice: gbp('2.55'),
          context: page,
        },
      },
      // 4: quoted description with a comma
      {
        row: 4,
        kind: 'item',
        record: {
          itemId: '82567',
          title: 'AIRLINE LOUNGE,METAL SIGN',
          price: gbp('2.1'),
          attributes: {},
          updatedAt: '2010-12-01 09:41:00',
        },
      },
      {
        row: 4,
        kind: 'sales_line',
        record: {
          lineId: '536381:4',
          invoiceId: '536381',
          sku: '82567',
          storeId: 'online',
          quantity: 2,
          unitPrice: gbp('2.1'),
          type: 'sale',
          soldAt: '2010-12-01 09:41:00',
          customerId: '15311',
        },
      },
      {
        row: 4,
        kind: 'interaction',
        record: {
          eventId: 'or:536381:4',
          type: 'purchase',
          userId: '15311',
          itemId: '82567',
          occurredAt: '2010-12-01 09:41:00',
          quantity: 2,
          unitPrice: gbp('2.1'),
          context: page,
        },
      },
      // 5: doubled quotes
      {
        row: 5,
        kind: 'item',
        record: {
          itemId: '22041',
          title: 'RECORD FRAME 7" SINGLE SIZE',
          price: gbp('2.1'),
          attributes: {},
          updatedAt: '2010-12-01 12:27:00',
        },
      },
      {
        row: 5,
        kind: 'sales_line',
        record: {
          lineId: '536477:5',
          invoiceId: '536477',
          sku: '22041',
          storeId: 'online',
          quantity: 48,
          unitPrice: gbp('2.1'),
          type: 'sale',
          soldAt: '2010-12-01 12:27:00',
          customerId: '16210',
        },
      },
      {
        row: 5,
        kind: 'interaction',
        record: {
          eventId: 'or:536477:5',
          type: 'purchase',
          userId: '16210',
          itemId: '22041',
          occurredAt: '2010-12-01 12:27:00',
          quantity: 48,
          unitPrice: gbp('2.1'),
          context: page,
        },
      },
      // 6-14 non-products and a bad-debt adjustment, 15 price 0 without customer, 16 stock write-off: nothing.
      // 17: a return (C invoice): item, return line, no interaction; quantity negative as in the file
      {
        row: 17,
        kind: 'item',
        record: {
          itemId: '35004C',
          title: 'SET OF 3 COLOURED  FLYING DUCKS',
          price: gbp('4.65'),
          attributes: {},
          updatedAt: '2010-12-01 09:49:00',
        },
      },
      {
        row: 17,
        kind: 'sales_line',
        record: {
          lineId: 'C536383:17',
          invoiceId: 'C536383',
          sku: '35004C',
          storeId: 'online',
          quantity: -1,
          unitPrice: gbp('4.65'),
          type: 'return',
          soldAt: '2010-12-01 09:49:00',
          customerId: '15311',
        },
      },
      // 18: trailing spaces of the description are trimmed
      {
        row: 18,
        kind: 'item',
        record: {
          itemId: '22556',
          title: 'PLASTERS IN TIN CIRCUS PARADE',
          price: gbp('1.65'),
          attributes: {},
          updatedAt: '2010-12-01 10:24:00',
        },
      },
      {
        row: 18,
        kind: 'sales_line',
        record: {
          lineId: 'C536391:18',
          invoiceId: 'C536391',
          sku: '22556',
          storeId: 'online',
          quantity: -12,
          unitPrice: gbp('1.65'),
          type: 'return',
          soldAt: '2010-12-01 10:24:00',
          customerId: '17548',
        },
      },
      // 19: no customer: anonymous session per invoice, no customerId on the line
      {
        row: 19,
        kind: 'item',
        record: {
          itemId: '21773',
          title: 'DECORATIVE ROSE BATHROOM BOTTLE',
          price: gbp('2.51'),
          attributes: {},
          updatedAt: '2010-12-01 14:32:00',
        },
      },
      {
        row: 19,
        kind: 'sales_line',
        record: {
          lineId: '536544:19',
          invoiceId: '536544',
          sku: '21773',
          storeId: 'online',
          quantity: 1,
          unitPrice: gbp('2.51'),
          type: 'sale',
          soldAt: '2010-12-01 14:32:00',
        },
      },
      {
        row: 19,
        kind: 'interaction',
        record: {
          eventId: 'or:536544:19',
          type: 'purchase',
          sessionId: 'invoice-536544',
          itemId: '21773',
          occurredAt: '2010-12-01 14:32:00',
          quantity: 1,
          unitPrice: gbp('2.51'),
          context: page,
        },
      },
      // 20: anonymous return; its stock code was only on a skipped row before, so the item comes now
      {
        row: 20,
        kind: 'item',
        record: {
          itemId: '22139',
          title: 'RETROSPOT TEA SET CERAMIC 11 PC',
          price: gbp('4.95'),
          attributes: {},
          updatedAt: '2010-12-06 10:45:00',
        },
      },
      {
        row: 20,
        kind: 'sales_line',
        record: {
          lineId: 'C537251:20',
          invoiceId: 'C537251',
          sku: '22139',
          storeId: 'online',
          quantity: -2,
          unitPrice: gbp('4.95'),
          type: 'return',
          soldAt: '2010-12-06 10:45:00',
        },
      },
      // 21: missing description: item without a title
      {
        row: 21,
        kind: 'item',
        record: { itemId: '21123', price: gbp('1.25'), attributes: {}, updatedAt: '2010-12-01 12:40:00' },
      },
      {
        row: 21,
        kind: 'sales_line',
        record: {
          lineId: '536520:21',
          invoiceId: '536520',
          sku: '21123',
          storeId: 'online',
          quantity: 1,
          unitPrice: gbp('1.25'),
          type: 'sale',
          soldAt: '2010-12-01 12:40:00',
          customerId: '14729',
        },
      },
      {
        row: 21,
        kind: 'interaction',
        record: {
          eventId: 'or:536520:21',
          type: 'purchase',
          userId: '14729',
          itemId: '21123',
          occurredAt: '2010-12-01 12:40:00',
          quantity: 1,
          unitPrice: gbp('1.25'),
          context: page,
        },
      },
      // 22 PADS: skipped. 23: price 0 with a customer is a free item and is kept
      {
        row: 23,
        kind: 'item',
        record: {
          itemId: '22632',
          title: 'HAND WARMER RED POLKA DOT',
          price: gbp('0'),
          attributes: {},
          updatedAt: '2010-12-01 11:27:00',
        },
      },
      {
        row: 23,
        kind: 'sales_line',
        record: {
          lineId: '536403:23',
          invoiceId: '536403',
          sku: '22632',
          storeId: 'online',
          quantity: 1,
          unitPrice: gbp('0'),
          type: 'sale',
          soldAt: '2010-12-01 11:27:00',
          customerId: '12791',
        },
      },
      {
        row: 23,
        kind: 'interaction',
        record: {
          eventId: 'or:536403:23',
          type: 'purchase',
          userId: '12791',
          itemId: '22632',
          occurredAt: '2010-12-01 11:27:00',
          quantity: 1,
          unitPrice: gbp('0'),
          context: page,
        },
      },
      // 24: a stock code without digits that is a real product (party bag)
      {
        row: 24,
        kind: 'item',
        record: {
          itemId: 'DCGSSGIRL',
          title: 'GIRLS PARTY BAG',
          price: gbp('3.29'),
          attributes: {},
          updatedAt: '2011-01-04 10:00:00',
        },
      },
      {
        row: 24,
        kind: 'sales_line',
        record: {
          lineId: '540000:24',
          invoiceId: '540000',
          sku: 'DCGSSGIRL',
          storeId: 'online',
          quantity: 2,
          unitPrice: gbp('3.29'),
          type: 'sale',
          soldAt: '2011-01-04 10:00:00',
        },
      },
      {
        row: 24,
        kind: 'interaction',
        record: {
          eventId: 'or:540000:24',
          type: 'purchase',
          sessionId: 'invoice-540000',
          itemId: 'DCGSSGIRL',
          occurredAt: '2011-01-04 10:00:00',
          quantity: 2,
          unitPrice: gbp('3.29'),
          context: page,
        },
      },
      // 25: UTF-8, doubled quotes and a comma in one quoted description
      {
        row: 25,
        kind: 'item',
        record: {
          itemId: '84969',
          title: 'CAFÉ "LATTE", MUG',
          price: gbp('1.25'),
          attributes: {},
          updatedAt: '2010-12-01 11:00:00',
        },
      },
      {
        row: 25,
        kind: 'sales_line',
        record: {
          lineId: '536400:25',
          invoiceId: '536400',
          sku: '84969',
          storeId: 'online',
          quantity: 3,
          unitPrice: gbp('1.25'),
          type: 'sale',
          soldAt: '2010-12-01 11:00:00',
          customerId: '13448',
        },
      },
      {
        row: 25,
        kind: 'interaction',
        record: {
          eventId: 'or:536400:25',
          type: 'purchase',
          userId: '13448',
          itemId: '84969',
          occurredAt: '2010-12-01 11:00:00',
          quantity: 3,
          unitPrice: gbp('1.25'),
          context: page,
        },
      },
      // 26-28 non-products (m, S and CRUK on C invoices), 29 blank, 30 malformed. 31: normal
      {
        row: 31,
        kind: 'item',
        record: {
          itemId: '22423',
          title: 'REGENCY CAKESTAND 3 TIER',
          price: gbp('12.75'),
          attributes: {},
          updatedAt: '2010-12-01 09:45:00',
        },
      },
      {
        row: 31,
        kind: 'sales_line',
        record: {
          lineId: '536382:31',
          invoiceId: '536382',
          sku: '22423',
          storeId: 'online',
          quantity: 2,
          unitPrice: gbp('12.75'),
          type: 'sale',
          soldAt: '2010-12-01 09:45:00',
          customerId: '16098',
        },
      },
      {
        row: 31,
        kind: 'interaction',
        record: {
          eventId: 'or:536382:31',
          type: 'purchase',
          userId: '16098',
          itemId: '22423',
          occurredAt: '2010-12-01 09:45:00',
          quantity: 2,
          unitPrice: gbp('12.75'),
          context: page,
        },
      },
    ]);
  });

  it('counts rows, skips by reason, returns, anonymous rows and malformed rows', async () => {
    const [batch] = await readAll();
    const { records: _records, ...counts } = batch;
    expect(counts).toEqual({
      rowsRead: 31,
      skipped: {
        NON_PRODUCT: 12,
        BAD_DEBT_ADJUSTMENT: 1,
        ZERO_PRICE_NO_CUSTOMER: 1,
        STOCK_ADJUSTMENT: 1,
        EMPTY_LINE: 1,
      },
      returns: 3,
      anonymousRows: 3,
      malformed: [
        {
          row: 30,
          line: '536999,22000,BROKEN ROW,1',
          code: 'WRONG_COLUMN_COUNT',
          message: 'expected 8 fields as in the header, found 4',
        },
      ],
      endOffset: counts.fileSize,
      bytesRead: counts.fileSize,
      fileSize: 2354,
    });
  });

  it('uses the given store id for its sales lines', async () => {
    const lines: unknown[] = [];
    for await (const batch of readImportBatches({ format: 'online-retail', path: FIXTURE, defaultStoreId: 'uk-web' })) {
      lines.push(...batch.records.filter((r) => r.kind === 'sales_line').map((r) => r.record.storeId));
    }
    expect(lines).toEqual(Array(14).fill('uk-web'));
  });

  it('tells non-products from products', () => {
    for (const code of ['POST', 'DOT', 'C2', 'M', 'm', 'D', 'S', 'B', 'CRUK', 'AMAZONFEE', 'BANK CHARGES', 'PADS']) {
      expect(isOnlineRetailNonProduct(code)).toBe(true);
    }
    expect(isOnlineRetailNonProduct('gift_0001_40')).toBe(true);
    for (const code of ['85123A', 'DCGSSBOY', 'DCGS0003', '47503J']) expect(isOnlineRetailNonProduct(code)).toBe(false);
  });
});

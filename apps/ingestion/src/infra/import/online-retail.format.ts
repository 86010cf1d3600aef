import { ImportBatchBuilder } from './import-batch.builder';
import { ImportReaderError } from './import-reader.error';
import { SKIP_REASONS } from './import.types';
import { numberOrText, RowFormat, RowMapper, splitCsvRow } from './row-format';

/**
 * Stock codes of the UCI Online Retail file that are not goods (found by listing the codes that are
 * not `5 digits + optional letters`, with their descriptions and prices):
 * - POST "POSTAGE", DOT "DOTCOM POSTAGE", C2 "CARRIAGE": delivery charges.
 * - M / m "Manual": hand-keyed price corrections (prices from 0 to 38,970), not an item.
 * - D "Discount", S "SAMPLES", CRUK "CRUK Commission", AMAZONFEE "AMAZON FEE",
 *   BANK CHARGES "Bank Charges", B "Adjust bad debt": money movements, not goods.
 * - PADS "PADS TO MATCH ALL CUSHIONS": 4 lines at 0.001 or 0, a free add-on flag.
 * - gift_0001_10 … gift_0001_50 "Dotcomgiftshop Gift Voucher": vouchers are money, not a product to
 *   recommend or forecast.
 * Kept on purpose: DCGSSBOY / DCGSSGIRL (party bags) and DCGS0003 … DCGS0076 (ashtray, dog collars,
 * night light, bags): real goods sold through the dotcom/eBay channel.
 */
export const ONLINE_RETAIL_NON_PRODUCT_CODES: ReadonlySet<string> = new Set([
  'POST',
  'DOT',
  'C2',
  'M',
  'm',
  'D',
  'S',
  'B',
  'CRUK',
  'AMAZONFEE',
  'BANK CHARGES',
  'PADS',
]);
const GIFT_VOUCHER_PREFIX = 'gift_0001_';

const COLUMNS = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
] as const;
type Column = (typeof COLUMNS)[number];

export function isOnlineRetailNonProduct(stockCode: string): boolean {
  return ONLINE_RETAIL_NON_PRODUCT_CODES.has(stockCode) || stockCode.startsWith(GIFT_VOUCHER_PREFIX);
}

/**
 * UCI Online Retail (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country).
 * Each product row gives a sales line, a purchase interaction (sales only) and, the first time its stock
 * code is seen in this run, an item. Dates stay naive strings: they are UK wall-clock times and the
 * cleaner interprets them in Europe/London.
 */
export function onlineRetailFormat(defaultStoreId = 'online'): RowFormat {
  return {
    quoteAware: true,
    hasHeader: true,
    mapperFor(header) {
      const names = (header ?? []).map((name) => name.trim());
      const index = {} as Record<Column, number>;
      for (const column of COLUMNS) {
        index[column] = names.indexOf(column);
        if (index[column] === -1) {
          throw new ImportReaderError(
            'IMPORT.MISSING_COLUMN',
            `The online-retail header has no ${column} column (found: ${names.join(', ')})`,
          );
        }
      }
      const seenItems = new Set<string>();
      const mapper: RowMapper = (text, row, batch) => {
        const fields = splitCsvRow(text, row, names.length, batch);
        if (fields) mapRow(fields, index, row, batch, seenItems, defaultStoreId);
      };
      return mapper;
    },
  };
}

function mapRow(
  fields: string[],
  index: Record<Column, number>,
  row: number,
  batch: ImportBatchBuilder,
  seenItems: Set<string>,
  storeId: string,
): void {
  const invoiceId = fields[index.InvoiceNo].trim();
  const sku = fields[index.StockCode].trim();
  const description = fields[index.Description].trim();
  const quantityText = fields[index.Quantity].trim();
  const soldAt = fields[index.InvoiceDate].trim();
  const amount = fields[index.UnitPrice].trim();
  const customerId = fields[index.CustomerID].trim();

  const isReturn = invoiceId.startsWith('C');
  const quantity = numberOrText(quantityText);
  // Rules in this order, so each row is counted under one reason.
  if (invoiceId.startsWith('A')) return batch.skip(SKIP_REASONS.BAD_DEBT_ADJUSTMENT);
  if (isOnlineRetailNonProduct(sku)) return batch.skip(SKIP_REASONS.NON_PRODUCT);
  // All 1,336 such rows in the file have price 0 and no customer, and say "damaged", "check", "thrown
  // away", "wet pallet", "missing" or nothing: stock written off, not sales.
  if (!isReturn && typeof quantity === 'number' && quantity < 0) return batch.skip(SKIP_REASONS.STOCK_ADJUSTMENT);
  // Price 0 and no customer (1,128 rows left after the rules above): described "check", "found",
  // "adjustment", "amazon", "had been put aside" or not at all, and 762 of the 785 invoices holding such
  // rows have no priced line at all — stock booked back in, not sales. Price 0 *with* a customer (40 rows)
  // is an item given to a shopper for free and is kept.
  if (!customerId && Number(amount) === 0 && amount !== '') return batch.skip(SKIP_REASONS.ZERO_PRICE_NO_CUSTOMER);

  if (isReturn) batch.returns += 1;
  if (!customerId) batch.anonymousRows += 1;
  const unitPrice = { amount, currency: 'GBP' };

  if (!seenItems.has(sku)) {
    seenItems.add(sku);
    const item: Record<string, unknown> = { itemId: sku };
    if (description) item.title = description;
    Object.assign(item, { price: { ...unitPrice }, attributes: {}, updatedAt: soldAt });
    batch.add('item', item, row);
  }

  const line: Record<string, unknown> = {
    lineId: `${invoiceId}:${row}`,
    invoiceId,
    sku,
    storeId,
    quantity,
    unitPrice: { ...unitPrice },
    type: isReturn ? 'return' : 'sale',
    soldAt,
  };
  if (customerId) line.customerId = customerId;
  batch.add('sales_line', line, row);

  if (!isReturn) {
    batch.add(
      'interaction',
      {
        eventId: `or:${invoiceId}:${row}`,
        type: 'purchase',
        ...(customerId ? { userId: customerId } : { sessionId: `invoice-${invoiceId}` }),
        itemId: sku,
        occurredAt: soldAt,
        quantity,
        unitPrice: { ...unitPrice },
        context: { page: 'online-retail-import' },
      },
      row,
    );
  }
}

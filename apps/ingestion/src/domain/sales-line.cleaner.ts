import type { SalesLineV1 } from '@app/contracts';
import { SUBJECT_OF_KIND, type CleanedRecordOf } from './cleaning.types';
import { RECORD_ERROR } from './record-error.codes';
import { clientKey, contentHash, contentKey } from './record-key.hasher';
import { EnumTable, present, type RecordReader } from './record.reader';

const SALES_LINE_TYPES = new EnumTable<'sale' | 'return'>('SALES_LINE_TYPE_', [
  ['sale', 'SALE', 1],
  ['return', 'RETURN', 2],
]);

const LINE_ID: ReadonlySet<string> = new Set(['lineId']);

export function cleanSalesLine(
  input: Record<string, unknown>,
  r: RecordReader,
): CleanedRecordOf<'sales_line'> | undefined {
  const lineId = r.id(input.lineId, 'lineId');
  const invoiceId = r.id(input.invoiceId, 'invoiceId');
  const sku = r.requiredId(input.sku, 'sku');
  const storeId = r.requiredId(input.storeId, 'storeId');
  const type = r.enumValue(input.type, 'type', SALES_LINE_TYPES);
  const q = r.int(input.quantity, 'quantity');
  let quantity: number | undefined;
  let kind: SalesLineV1['kind'] = 'sale';
  if (q === undefined) r.required('quantity');
  else if (q === 0) r.error('quantity', RECORD_ERROR.QUANTITY_ZERO, 'quantity must not be zero');
  else if (q !== null) {
    if (type === 'return' || (type === undefined && q < 0)) {
      // Returns are stored negative whichever sign the client used.
      quantity = -Math.abs(q);
      kind = 'return';
    } else if (q < 0) {
      r.error('quantity', RECORD_ERROR.QUANTITY_NEGATIVE, `a sale's quantity must be positive, got ${q}`);
    } else {
      quantity = q;
    }
  }
  const includesTax = r.bool(input.priceIncludesTax, 'priceIncludesTax') === true;
  const price = r.money(input.unitPrice, 'unitPrice', includesTax);
  if (price === undefined) r.error('unitPrice', RECORD_ERROR.PRICE_REQUIRED, 'unitPrice is required');
  const soldAt = r.time(input.soldAt, 'soldAt');
  if (soldAt === undefined) r.required('soldAt');
  const customerId = r.id(input.customerId, 'customerId');
  if (r.failed || sku === null || storeId === null || quantity === undefined || !present(price) || !present(soldAt)) {
    return undefined;
  }

  const event: SalesLineV1 = {
    lineId: lineId ?? '',
    sku,
    storeId,
    quantity,
    kind,
    unitPriceMinor: price.minor,
    currency: price.currency,
    occurredAt: soldAt,
  };
  if (present(invoiceId)) event.invoiceId = invoiceId;
  if (present(customerId)) event.customerId = customerId;
  let key: string;
  if (present(lineId)) {
    key = clientKey('sales_line', lineId);
  } else {
    // Without a client line id, the content hash identifies the line downstream too.
    event.lineId = contentHash(event, LINE_ID);
    key = contentKey('sales_line', event.lineId);
  }
  return {
    ok: true,
    kind: 'sales_line',
    subject: SUBJECT_OF_KIND.sales_line,
    key,
    event,
    flags: r.flags(),
    itemIds: [sku],
  };
}

import type { StockPositionV1 } from '@app/contracts';
import { SUBJECT_OF_KIND, type CleanedRecordOf } from './cleaning.types';
import { RECORD_ERROR } from './record-error.codes';
import { clientKey, contentHash, contentKey } from './record-key.hasher';
import { present, type RecordReader } from './record.reader';

export function cleanStockPosition(
  input: Record<string, unknown>,
  r: RecordReader,
): CleanedRecordOf<'stock_position'> | undefined {
  const positionId = r.id(input.positionId, 'positionId');
  const sku = r.requiredId(input.sku, 'sku');
  const storeId = r.requiredId(input.storeId, 'storeId');
  // Book stock can be negative (sold before the delivery was booked), so onHand is any integer.
  const onHand = r.int(input.onHand, 'onHand');
  if (onHand === undefined) r.required('onHand');
  const onOrder = r.int(input.onOrder, 'onOrder') ?? 0;
  if (onOrder !== null && onOrder < 0) {
    r.error('onOrder', RECORD_ERROR.QUANTITY_NEGATIVE, `onOrder must not be negative, got ${onOrder}`);
  }
  const observedAt = r.time(input.observedAt, 'observedAt');
  if (observedAt === undefined) r.required('observedAt');
  if (r.failed || sku === null || storeId === null || !present(onHand) || onOrder === null || !present(observedAt)) {
    return undefined;
  }

  const event: StockPositionV1 = { sku, storeId, onHand, onOrder, observedAt };
  return {
    ok: true,
    kind: 'stock_position',
    subject: SUBJECT_OF_KIND.stock_position,
    key: !present(positionId)
      ? contentKey('stock_position', contentHash(event))
      : clientKey('stock_position', positionId),
    event,
    flags: r.flags(),
    itemIds: [sku],
  };
}

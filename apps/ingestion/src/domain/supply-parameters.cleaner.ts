import type { SupplyParametersV1 } from '@app/contracts';
import { withContentKey } from './catalogue.cleaner';
import { SUBJECT_OF_KIND, type CleanedRecordOf } from './cleaning.types';
import { RECORD_ERROR } from './record-error.codes';
import { isRecord, present, type RecordReader } from './record.reader';

/** Used when targetServiceLevel is 0 or absent (proto3: 0 means the service default). */
export const DEFAULT_SERVICE_LEVEL = 0.95;
export const MAX_HOLDING_COST_RATE = 10;

export function cleanSupplyParameters(
  input: Record<string, unknown>,
  r: RecordReader,
): CleanedRecordOf<'supply_parameters'> | undefined {
  const sku = r.requiredId(input.sku, 'sku');
  const storeId = r.id(input.storeId, 'storeId');

  const leadTimeDays = r.number(input.leadTimeDays, 'leadTimeDays');
  if (leadTimeDays !== null && !(leadTimeDays !== undefined && leadTimeDays > 0)) {
    r.error(
      'leadTimeDays',
      RECORD_ERROR.LEAD_TIME_INVALID,
      `leadTimeDays must be above 0, got ${leadTimeDays ?? 'nothing'}`,
    );
  }
  const leadTimeStdDays = r.number(input.leadTimeStdDays, 'leadTimeStdDays') ?? 0;
  if (leadTimeStdDays !== null && leadTimeStdDays < 0) {
    r.error(
      'leadTimeStdDays',
      RECORD_ERROR.LEAD_TIME_INVALID,
      `leadTimeStdDays must not be negative, got ${leadTimeStdDays}`,
    );
  }

  const unitCost = r.money(input.unitCost, 'unitCost');
  if (unitCost === undefined) r.error('unitCost', RECORD_ERROR.PRICE_REQUIRED, 'unitCost is required');
  const orderCost = r.money(input.orderCost, 'orderCost');
  if (present(unitCost) && present(orderCost) && orderCost.currency !== unitCost.currency) {
    const field =
      isRecord(input.orderCost) && input.orderCost.currencyCode === undefined
        ? 'orderCost.currency'
        : 'orderCost.currencyCode';
    r.error(
      field,
      RECORD_ERROR.CURRENCY_MISMATCH,
      `orderCost is in ${orderCost.currency}, unitCost in ${unitCost.currency}`,
    );
  }

  // proto3: 0 means "the service default", so 0 is absent here.
  const holdingCostRate = r.number(input.holdingCostRate, 'holdingCostRate');
  if (present(holdingCostRate) && (holdingCostRate < 0 || holdingCostRate > MAX_HOLDING_COST_RATE)) {
    r.error(
      'holdingCostRate',
      RECORD_ERROR.NUMBER_OUT_OF_RANGE,
      `holdingCostRate must be from 0 to ${MAX_HOLDING_COST_RATE}, got ${holdingCostRate}`,
    );
  }
  const minOrderQty = r.int(input.minOrderQuantity, 'minOrderQuantity') ?? 0;
  if (minOrderQty !== null && minOrderQty < 0) {
    r.error(
      'minOrderQuantity',
      RECORD_ERROR.QUANTITY_NEGATIVE,
      `minOrderQuantity must not be negative, got ${minOrderQty}`,
    );
  }
  const packSize = r.int(input.packSize, 'packSize') || 1;
  if (packSize !== null && packSize < 1) {
    r.error('packSize', RECORD_ERROR.NUMBER_OUT_OF_RANGE, `packSize must be at least 1, got ${packSize}`);
  }
  const serviceLevel = r.number(input.targetServiceLevel, 'targetServiceLevel') || DEFAULT_SERVICE_LEVEL;
  if (serviceLevel !== null && (serviceLevel <= 0 || serviceLevel >= 1)) {
    r.error(
      'targetServiceLevel',
      RECORD_ERROR.SERVICE_LEVEL_OUT_OF_RANGE,
      `targetServiceLevel must be between 0 and 1, got ${serviceLevel}`,
    );
  }
  const reviewPeriodDays = r.int(input.reviewPeriodDays, 'reviewPeriodDays');
  if (present(reviewPeriodDays) && reviewPeriodDays < 0) {
    r.error(
      'reviewPeriodDays',
      RECORD_ERROR.NUMBER_OUT_OF_RANGE,
      `reviewPeriodDays must not be negative, got ${reviewPeriodDays}`,
    );
  }
  const effectiveAt = r.time(input.effectiveAt, 'effectiveAt');

  if (
    r.failed ||
    sku === null ||
    !present(leadTimeDays) ||
    leadTimeStdDays === null ||
    !present(unitCost) ||
    minOrderQty === null ||
    packSize === null ||
    serviceLevel === null ||
    effectiveAt === null
  ) {
    return undefined;
  }

  const event: Omit<SupplyParametersV1, 'updatedAt'> & { updatedAt?: string } = {
    sku,
    leadTimeDays,
    leadTimeStdDays,
    unitCostMinor: unitCost.minor,
    orderCostMinor: orderCost?.minor ?? 0,
    currency: unitCost.currency,
    minOrderQty,
    packSize,
    serviceLevel,
  };
  if (present(storeId)) event.storeId = storeId;
  if (holdingCostRate) event.holdingCostRate = holdingCostRate;
  if (reviewPeriodDays) event.reviewPeriodDays = reviewPeriodDays;
  const keyed = withContentKey('supply_parameters', event, effectiveAt, r);
  return {
    ok: true,
    kind: 'supply_parameters',
    subject: SUBJECT_OF_KIND.supply_parameters,
    key: keyed.key,
    event: keyed.event,
    flags: r.flags(),
    itemIds: [sku],
  };
}

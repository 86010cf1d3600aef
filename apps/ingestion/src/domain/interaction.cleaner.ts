import type { InteractionEventV1, InteractionType } from '@app/contracts';
import { SUBJECT_OF_KIND, type CleanedRecordOf } from './cleaning.types';
import { RECORD_ERROR } from './record-error.codes';
import { clientKey, contentHash, contentKey } from './record-key.hasher';
import { EnumTable, present, type RecordReader } from './record.reader';

export const INTERACTION_TYPES = new EnumTable<InteractionType>('INTERACTION_TYPE_', [
  ['view', 'VIEW', 1],
  ['click', 'CLICK', 2],
  ['add_to_cart', 'ADD_TO_CART', 3],
  ['remove_from_cart', 'REMOVE_FROM_CART', 4],
  ['purchase', 'PURCHASE', 5],
  ['rating', 'RATING', 6],
  ['impression', 'IMPRESSION', 7],
]);

export const MAX_SHOWN_ITEMS = 1000;

/** Types whose quantity counts units; 0 or absent means 1. */
const COUNTED_TYPES: ReadonlySet<InteractionType> = new Set(['purchase', 'add_to_cart', 'remove_from_cart']);

/** Members set by ingestion rather than sent by the client: not part of the content hash. */
const NOT_CONTENT: ReadonlySet<string> = new Set(['eventId', 'receivedAt', 'newUser', 'newItem']);

type InteractionContext = InteractionEventV1['context'];

export function cleanInteraction(
  input: Record<string, unknown>,
  r: RecordReader,
): CleanedRecordOf<'interaction'> | undefined {
  const eventId = r.id(input.eventId, 'eventId');
  const userId = r.id(input.userId, 'userId');
  const sessionId = r.id(input.sessionId, 'sessionId');
  if (userId === undefined && sessionId === undefined) {
    r.error('userId', RECORD_ERROR.SUBJECT_REQUIRED, 'userId or sessionId is required');
  }
  const type = r.enumValue(input.type, 'type', INTERACTION_TYPES, RECORD_ERROR.TYPE_UNKNOWN);
  if (type === undefined) r.required('type');

  let itemId = r.id(input.itemId, 'itemId');
  let shownItemIds: string[] | undefined;
  if (type === 'impression') {
    const shown = r.idList(input.shownItemIds, 'shownItemIds', MAX_SHOWN_ITEMS);
    if (shown === undefined || shown?.length === 0) r.required('shownItemIds');
    else if (shown !== null) shownItemIds = shown;
    if (itemId === undefined && shownItemIds !== undefined) itemId = shownItemIds[0];
  } else if (itemId === undefined) {
    r.required('itemId');
  }

  let occurredAt = r.time(input.occurredAt, 'occurredAt');
  if (occurredAt === undefined) {
    occurredAt = r.receivedAtIso;
    r.markTimeNormalised();
  }

  let quantity: number | undefined;
  if (present(type) && COUNTED_TYPES.has(type)) {
    const q = r.int(input.quantity, 'quantity');
    if (q === undefined || q === 0) {
      quantity = 1;
    } else if (q !== null && q < 0) {
      r.error('quantity', RECORD_ERROR.QUANTITY_NEGATIVE, `quantity must not be negative, got ${q}`);
    } else if (q !== null) {
      quantity = q;
    }
  }

  const includesTax = r.bool(input.priceIncludesTax, 'priceIncludesTax') === true;
  const price = r.money(input.unitPrice, 'unitPrice', includesTax);
  if (type === 'purchase' && price === undefined) {
    r.error('unitPrice', RECORD_ERROR.PRICE_REQUIRED, 'a purchase needs unitPrice');
  }

  let rating: number | undefined;
  if (type === 'rating') {
    const value = r.int(input.rating, 'rating');
    if (value === undefined) r.required('rating');
    else if (value !== null && (value < 1 || value > 5)) {
      r.error('rating', RECORD_ERROR.RATING_OUT_OF_RANGE, `rating must be from 1 to 5, got ${value}`);
    } else if (value !== null) rating = value;
  }

  const context = cleanContext(input.context, r);

  if (r.failed || !present(type) || !present(itemId) || occurredAt === null || context === null) return undefined;

  const event: InteractionEventV1 = {
    eventId: eventId ?? '',
    type,
    itemId,
    occurredAt,
    receivedAt: r.receivedAtIso,
    context,
    newUser: false,
    newItem: false,
  };
  if (present(userId)) event.userId = userId;
  if (present(sessionId)) event.sessionId = sessionId;
  if (quantity !== undefined) event.quantity = quantity;
  if (present(price)) {
    event.unitPriceMinor = price.minor;
    event.currency = price.currency;
  }
  if (rating !== undefined) event.rating = rating;
  if (shownItemIds !== undefined) event.shownItemIds = shownItemIds;

  // Without an eventId the key is a hash of the content including occurredAt -- also when occurredAt
  // was defaulted to receivedAt. So identical interactions without eventId and without occurredAt are
  // NOT de-duplicated across batches: a client retry of such a record is counted twice. Leaving the
  // defaulted time out instead would merge every later view of the same item by the same shopper into
  // the first one forever, which is worse. Clients that retry must send an eventId or occurredAt.
  let key: string;
  if (present(eventId)) {
    key = clientKey('interaction', eventId);
  } else {
    event.eventId = contentHash(event, NOT_CONTENT);
    key = contentKey('interaction', event.eventId);
  }

  const itemIds = shownItemIds === undefined ? [itemId] : [...new Set([itemId, ...shownItemIds])];
  const result: CleanedRecordOf<'interaction'> = {
    ok: true,
    kind: 'interaction',
    subject: SUBJECT_OF_KIND.interaction,
    key,
    event,
    flags: r.flags(),
    itemIds,
  };
  if (present(userId)) result.userId = userId;
  return result;
}

function cleanContext(value: unknown, r: RecordReader): InteractionContext | null {
  const context: InteractionContext = {};
  const input = r.object(value, 'context');
  if (input === null) return null;
  if (input === undefined) return context;
  const page = r.text(input.page, 'context.page', 256);
  const device = r.text(input.device, 'context.device', 64);
  const recommendationId = r.id(input.recommendationId, 'context.recommendationId');
  const experimentId = r.id(input.experimentId, 'context.experimentId');
  const variant = r.text(input.variantId, 'context.variantId', 64);
  const placement = r.text(input.placement, 'context.placement', 128);
  if (present(page)) context.page = page;
  if (present(device)) context.device = device;
  if (present(recommendationId)) context.recommendationId = recommendationId;
  if (present(experimentId)) context.experimentId = experimentId;
  if (present(variant)) context.variant = variant;
  if (present(placement)) context.placement = placement;
  return context;
}

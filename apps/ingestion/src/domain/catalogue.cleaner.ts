import type { ItemUpsertedV1, UserUpsertedV1 } from '@app/contracts';
import { SUBJECT_OF_KIND, type CleanedRecordOf, type RecordKind } from './cleaning.types';
import { RECORD_ERROR } from './record-error.codes';
import { contentHash, contentKey } from './record-key.hasher';
import { EnumTable, present, type RecordReader } from './record.reader';

export const MAX_CATEGORIES = 64;
export const MAX_CATEGORY_LENGTH = 256;

/** Separator of a category path given as one string, e.g. "Garden > Tools". */
const CATEGORY_PATH_SEPARATOR = '>';

const CONSENT_STATES = new EnumTable<'granted' | 'denied'>(
  'CONSENT_STATE_',
  [
    ['granted', 'GRANTED', 1],
    ['denied', 'DENIED', 2],
  ],
  { true: 'granted', false: 'denied', '1': 'granted', '0': 'denied' },
);

export function cleanItem(input: Record<string, unknown>, r: RecordReader): CleanedRecordOf<'item'> | undefined {
  const itemId = r.requiredId(input.itemId, 'itemId');
  const title = r.text(input.title, 'title', 1024);
  const description = r.text(input.description, 'description', 20_000);
  const categories = cleanCategories(input.categories, r);
  const brand = r.text(input.brand, 'brand', 256);
  const includesTax = r.bool(input.priceIncludesTax, 'priceIncludesTax') === true;
  const price = r.money(input.price, 'price', includesTax);
  const attributes = r.attributes(input.attributes, 'attributes');
  const hidden = r.bool(input.hidden, 'hidden');
  const available = r.bool(input.available, 'available');
  const discontinued = r.bool(input.discontinued, 'discontinued');
  const updatedAt = r.time(input.updatedAt, 'updatedAt');
  if (r.failed || itemId === null || categories === null || attributes === null || updatedAt === null) return undefined;

  const event: Omit<ItemUpsertedV1, 'updatedAt'> & { updatedAt?: string } = {
    itemId,
    title: title ?? '',
    description: description ?? '',
    categories,
    attributes,
    hidden: hidden ?? false,
    available: available ?? true,
    discontinued: discontinued ?? false,
  };
  if (present(brand)) event.brand = brand;
  if (present(price)) {
    event.priceMinor = price.minor;
    event.currency = price.currency;
  }
  const keyed = withContentKey('item', event, updatedAt, r);
  return {
    ok: true,
    kind: 'item',
    subject: SUBJECT_OF_KIND.item,
    key: keyed.key,
    event: keyed.event,
    flags: r.flags(),
    itemIds: [itemId],
  };
}

export function cleanUser(input: Record<string, unknown>, r: RecordReader): CleanedRecordOf<'user'> | undefined {
  const userId = r.requiredId(input.userId, 'userId');
  const attributes = r.attributes(input.attributes, 'attributes');
  const rawConsent = input.personalisationConsent;
  // No consent without an explicit grant: DENIED, UNSPECIFIED and absent all mean false.
  const consent =
    typeof rawConsent === 'boolean'
      ? rawConsent
      : r.enumValue(rawConsent, 'personalisationConsent', CONSENT_STATES) === 'granted';
  const updatedAt = r.time(input.updatedAt, 'updatedAt');
  if (r.failed || userId === null || attributes === null || updatedAt === null) return undefined;

  const event: Omit<UserUpsertedV1, 'updatedAt'> & { updatedAt?: string } = {
    userId,
    attributes,
    personalisationConsent: consent,
  };
  const keyed = withContentKey('user', event, updatedAt, r);
  return {
    ok: true,
    kind: 'user',
    subject: SUBJECT_OF_KIND.user,
    key: keyed.key,
    event: keyed.event,
    flags: r.flags(),
    userId,
    itemIds: [],
  };
}

/**
 * Content key of a record with an updatedAt (items, users, supply parameters), then its updatedAt: the given one (part of the content) or,
 * when absent, receivedAt -- left out of the hash so the same content sent again is a duplicate.
 */
export function withContentKey<E extends { updatedAt?: string }>(
  kind: RecordKind,
  event: E,
  updatedAt: string | undefined,
  r: RecordReader,
): { key: string; event: E & { updatedAt: string } } {
  if (updatedAt !== undefined) event.updatedAt = updatedAt;
  const key = contentKey(kind, contentHash(event));
  if (updatedAt === undefined) {
    event.updatedAt = r.receivedAtIso;
    r.markTimeNormalised();
  }
  return { key, event: event as E & { updatedAt: string } };
}

function cleanCategories(value: unknown, r: RecordReader): string[] | null {
  const out: string[] = [];
  if (value === undefined || value === null) return out;
  let parts: readonly unknown[];
  if (typeof value === 'string') parts = value.split(CATEGORY_PATH_SEPARATOR);
  else if (Array.isArray(value)) parts = value;
  else return r.wrongType('categories', 'an array of strings or a "A > B" path', value);
  let ok = true;
  for (let i = 0; i < parts.length; i++) {
    const field = `categories[${i}]`;
    const category = r.text(parts[i], field, MAX_CATEGORY_LENGTH);
    if (category === null) ok = false;
    else if (category !== undefined) out.push(category);
  }
  if (out.length > MAX_CATEGORIES) {
    return r.error(
      'categories',
      RECORD_ERROR.FIELD_TOO_LONG,
      `categories has ${out.length} entries, at most ${MAX_CATEGORIES}`,
    );
  }
  return ok ? out : null;
}

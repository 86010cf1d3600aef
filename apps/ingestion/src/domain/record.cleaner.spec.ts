import { parseEvent } from '@app/contracts';
import type { CleanedRecordOf, CleaningContext, RecordError, RecordKind } from './cleaning.types';
import { SUBJECT_OF_KIND } from './cleaning.types';
import { cleanRecord } from './record.cleaner';

const RECEIVED_AT = new Date('2024-06-15T12:00:00.000Z');
const RECEIVED_ISO = RECEIVED_AT.toISOString();
const TS_10H = { seconds: Date.parse('2024-06-15T10:00:00Z') / 1000, nanos: 500_000_000 };

function context(overrides: Partial<CleaningContext> = {}): CleaningContext {
  return {
    receivedAt: RECEIVED_AT,
    maxClockSkewMs: 5 * 60_000,
    earliestTime: new Date('1990-01-01T00:00:00Z'),
    defaultTimeZone: 'UTC',
    taxRates: { GBP: 0.2 },
    ...overrides,
  };
}

/** Cleans a record that must pass, and checks its event against the published schema. */
function accept<K extends RecordKind>(kind: K, input: unknown, ctx = context()): CleanedRecordOf<K> {
  const result = cleanRecord(kind, input, ctx);
  if (!result.ok) throw new Error(`expected ${kind} to pass, got ${JSON.stringify(result.errors)}`);
  expect(result.kind).toBe(kind);
  expect(result.subject).toBe(SUBJECT_OF_KIND[kind]);
  // Every accepted event must be a valid payload of its subject, with nothing for zod to add or strip.
  expect(parseEvent(result.subject, result.event)).toEqual(result.event);
  return result as CleanedRecordOf<K>;
}

function reject(kind: RecordKind, input: unknown, ctx = context()): RecordError[] {
  const result = cleanRecord(kind, input, ctx);
  if (result.ok) throw new Error(`expected ${kind} to fail, got ${JSON.stringify(result.event)}`);
  expect(result.kind).toBe(kind);
  for (const e of result.errors) expect(e.message.length).toBeGreaterThan(0);
  return result.errors;
}

/** `field:code` of every error, for compact assertions. */
const codes = (kind: RecordKind, input: unknown, ctx = context()): string[] =>
  reject(kind, input, ctx).map((e) => `${e.field}:${e.code}`);

/** An Interaction as @grpc/proto-loader hands it over (defaults: true, enums: String, oneofs: true). */
function grpcInteraction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: '',
    userId: 'u1',
    subject: 'userId',
    itemId: 'i1',
    type: 'INTERACTION_TYPE_VIEW',
    occurredAt: TS_10H,
    quantity: 0,
    unitPrice: null,
    priceIncludesTax: false,
    shownItemIds: [],
    context: null,
    ...overrides,
  };
}

function restInteraction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { eventId: 'e-1', userId: 'u1', itemId: 'i1', type: 'view', occurredAt: '2024-06-15T10:00:00Z', ...overrides };
}

describe(cleanRecord.name, () => {
  describe('any kind', () => {
    it.each([null, undefined, 'text', 42, [], [{ itemId: 'x' }]])('rejects %p as RECORD.NOT_AN_OBJECT', (input) => {
      for (const kind of Object.keys(SUBJECT_OF_KIND) as RecordKind[]) {
        expect(reject(kind, input)).toEqual([{ field: '', code: 'RECORD.NOT_AN_OBJECT', message: expect.any(String) }]);
      }
    });

    it('maps every kind to its subject', () => {
      expect(SUBJECT_OF_KIND).toEqual({
        interaction: 'events.v1.interaction',
        item: 'catalog.v1.item',
        user: 'catalog.v1.user',
        sales_line: 'sales.v1.line',
        stock_position: 'stock.v1.position',
        supply_parameters: 'supply.v1.parameters',
      });
    });

    it('ignores unknown extra fields', () => {
      const r = accept('interaction', restInteraction({ colour: 'red', nested: { x: 1 } }));
      expect(r.event).not.toHaveProperty('colour');
    });
  });

  describe('interaction', () => {
    it('accepts a gRPC-decoded view with proto3 defaults', () => {
      const r = accept('interaction', grpcInteraction());
      expect(r.key).toMatch(/^interaction:h:[A-Za-z0-9_-]{32}$/);
      expect(r.event).toEqual({
        eventId: r.key.slice('interaction:h:'.length),
        type: 'view',
        userId: 'u1',
        itemId: 'i1',
        occurredAt: '2024-06-15T10:00:00.500Z',
        receivedAt: RECEIVED_ISO,
        context: {},
        newUser: false,
        newItem: false,
      });
      expect(r.flags).toEqual(['TIME_NORMALISED']);
      expect(r.userId).toBe('u1');
      expect(r.itemIds).toEqual(['i1']);
    });

    it('accepts a gRPC session interaction (the other oneof member) without a userId', () => {
      const input = grpcInteraction({ sessionId: 's1', subject: 'sessionId' });
      delete input.userId;
      const r = accept('interaction', input);
      expect(r.event.sessionId).toBe('s1');
      expect(r.event).not.toHaveProperty('userId');
      expect(r.userId).toBeUndefined();
    });

    it('accepts a gRPC purchase: quantity 0 means 1, a gross price is made net of tax', () => {
      const r = accept(
        'interaction',
        grpcInteraction({
          type: 'INTERACTION_TYPE_PURCHASE',
          unitPrice: { amountMinor: 255, currencyCode: 'GBP' },
          priceIncludesTax: true,
        }),
      );
      expect(r.event).toMatchObject({ type: 'purchase', quantity: 1, unitPriceMinor: 213, currency: 'GBP' });
    });

    it('accepts a REST purchase with numbers as strings, a numeric user id, a decimal price and an offset', () => {
      const r = accept('interaction', {
        eventId: 'e-1',
        userId: 17850,
        itemId: ' 85123A ',
        type: 'purchase',
        occurredAt: '2024-06-15T11:00:00+01:00',
        quantity: '6',
        unitPrice: { amount: '2.55', currency: 'GBP' },
        priceIncludesTax: 'false',
        context: {
          page: 'pdp',
          device: 'mobile',
          recommendationId: 'rec-9',
          experimentId: 'exp',
          variantId: 'B',
          placement: 'pdp-similar',
        },
      });
      expect(r.key).toBe('interaction:id:e-1');
      expect(r.event).toEqual({
        eventId: 'e-1',
        type: 'purchase',
        userId: '17850',
        itemId: '85123A',
        occurredAt: '2024-06-15T10:00:00.000Z',
        receivedAt: RECEIVED_ISO,
        quantity: 6,
        unitPriceMinor: 255,
        currency: 'GBP',
        context: {
          page: 'pdp',
          device: 'mobile',
          recommendationId: 'rec-9',
          experimentId: 'exp',
          variant: 'B',
          placement: 'pdp-similar',
        },
        newUser: false,
        newItem: false,
      });
      expect(r.flags).toEqual(['TIME_NORMALISED', 'ID_NORMALISED']);
      expect(r.userId).toBe('17850');
      expect(r.itemIds).toEqual(['85123A']);
    });

    it('raises no flag for clean ids and a UTC ISO time', () => {
      expect(accept('interaction', restInteraction()).flags).toEqual([]);
    });

    it('defaults a missing occurredAt to receivedAt and flags it', () => {
      for (const occurredAt of [undefined, null, '', { seconds: 0, nanos: 0 }]) {
        const r = accept('interaction', restInteraction({ occurredAt }));
        expect(r.event.occurredAt).toBe(RECEIVED_ISO);
        expect(r.flags).toEqual(['TIME_NORMALISED']);
      }
    });

    it.each([
      ['INTERACTION_TYPE_ADD_TO_CART'],
      ['add_to_cart'],
      ['ADD_TO_CART'],
      ['add-to-cart'],
      [' Add To Cart '],
      [3],
    ])('reads the interaction type spelled %p', (type) => {
      expect(accept('interaction', restInteraction({ type })).event.type).toBe('add_to_cart');
    });

    it('requires a type and names unknown ones TYPE.UNKNOWN', () => {
      expect(codes('interaction', restInteraction({ type: undefined }))).toEqual(['type:FIELD.REQUIRED']);
      expect(codes('interaction', grpcInteraction({ type: 'INTERACTION_TYPE_UNSPECIFIED' }))).toEqual([
        'type:FIELD.REQUIRED',
      ]);
      expect(codes('interaction', restInteraction({ type: 'wishlist' }))).toEqual(['type:TYPE.UNKNOWN']);
      expect(codes('interaction', grpcInteraction({ type: 42 }))).toEqual(['type:TYPE.UNKNOWN']);
      expect(codes('interaction', restInteraction({ type: { v: 1 } }))).toEqual(['type:FIELD.WRONG_TYPE']);
    });

    it('requires a user or a session (SUBJECT.REQUIRED on userId)', () => {
      expect(codes('interaction', restInteraction({ userId: undefined }))).toEqual(['userId:SUBJECT.REQUIRED']);
      expect(codes('interaction', grpcInteraction({ userId: '', subject: undefined }))).toEqual([
        'userId:SUBJECT.REQUIRED',
      ]);
      expect(codes('interaction', restInteraction({ userId: '  \t ' }))).toEqual(['userId:SUBJECT.REQUIRED']);
    });

    it('requires an item except for impressions', () => {
      expect(codes('interaction', restInteraction({ itemId: undefined }))).toEqual(['itemId:FIELD.REQUIRED']);
      expect(codes('interaction', grpcInteraction({ itemId: '' }))).toEqual(['itemId:FIELD.REQUIRED']);
    });

    it('defaults an impression item to the first shown item and reports every shown id', () => {
      const r = accept(
        'interaction',
        restInteraction({ type: 'impression', itemId: undefined, shownItemIds: ['a', ' b', 'a', 7] }),
      );
      expect(r.event.itemId).toBe('a');
      expect(r.event.shownItemIds).toEqual(['a', 'b', 'a', '7']);
      expect(r.itemIds).toEqual(['a', 'b', '7']);
      expect(r.flags).toContain('ID_NORMALISED');
      const own = accept('interaction', restInteraction({ type: 'impression', itemId: 'z', shownItemIds: ['a'] }));
      expect(own.event.itemId).toBe('z');
      expect(own.itemIds).toEqual(['z', 'a']);
    });

    it('requires 1 to 1000 valid shown items for impressions', () => {
      const impression = (shownItemIds: unknown) =>
        restInteraction({ type: 'impression', itemId: undefined, shownItemIds });
      expect(codes('interaction', impression([]))).toEqual(['shownItemIds:FIELD.REQUIRED']);
      expect(codes('interaction', grpcInteraction({ type: 'INTERACTION_TYPE_IMPRESSION', itemId: '' }))).toEqual([
        'shownItemIds:FIELD.REQUIRED',
      ]);
      expect(codes('interaction', impression(Array.from({ length: 1001 }, (_, i) => `i${i}`)))).toEqual([
        'shownItemIds:FIELD.TOO_LONG',
      ]);
      expect(accept('interaction', impression(Array.from({ length: 1000 }, (_, i) => `i${i}`))).itemIds).toHaveLength(
        1000,
      );
      expect(codes('interaction', impression(['a', 'b', {}, ' ', 'x'.repeat(129)]))).toEqual([
        'shownItemIds[2]:FIELD.WRONG_TYPE',
        'shownItemIds[3]:FIELD.REQUIRED',
        'shownItemIds[4]:ID.TOO_LONG',
      ]);
      expect(codes('interaction', impression('a,b'))).toEqual(['shownItemIds:FIELD.WRONG_TYPE']);
    });

    it('drops shown items of other types', () => {
      const r = accept('interaction', restInteraction({ shownItemIds: ['a', 'b'] }));
      expect(r.event).not.toHaveProperty('shownItemIds');
      expect(r.itemIds).toEqual(['i1']);
    });

    it('keeps counted quantities, defaults them to 1 and rejects negative or fractional ones', () => {
      expect(accept('interaction', restInteraction({ type: 'add_to_cart', quantity: 3 })).event.quantity).toBe(3);
      expect(accept('interaction', restInteraction({ type: 'remove_from_cart' })).event.quantity).toBe(1);
      expect(codes('interaction', restInteraction({ type: 'add_to_cart', quantity: -2 }))).toEqual([
        'quantity:QUANTITY.NEGATIVE',
      ]);
      expect(codes('interaction', restInteraction({ type: 'add_to_cart', quantity: '2.5' }))).toEqual([
        'quantity:NUMBER.NOT_INTEGER',
      ]);
      expect(codes('interaction', restInteraction({ type: 'add_to_cart', quantity: 'two' }))).toEqual([
        'quantity:FIELD.WRONG_TYPE',
      ]);
    });

    it('drops the quantity of uncounted types', () => {
      expect(accept('interaction', restInteraction({ quantity: 5 })).event).not.toHaveProperty('quantity');
      expect(accept('interaction', restInteraction({ type: 'click', quantity: -1 })).event).not.toHaveProperty(
        'quantity',
      );
    });

    it('requires a price for purchases (PRICE.REQUIRED)', () => {
      expect(codes('interaction', restInteraction({ type: 'purchase' }))).toEqual(['unitPrice:PRICE.REQUIRED']);
      expect(codes('interaction', grpcInteraction({ type: 'INTERACTION_TYPE_PURCHASE' }))).toEqual([
        'unitPrice:PRICE.REQUIRED',
      ]);
    });

    it('requires an integer rating from 1 to 5 for ratings and drops it for other types', () => {
      expect(accept('interaction', restInteraction({ type: 'rating', rating: '4' })).event.rating).toBe(4);
      expect(accept('interaction', grpcInteraction({ type: 'INTERACTION_TYPE_RATING', rating: 5 })).event.rating).toBe(
        5,
      );
      expect(codes('interaction', grpcInteraction({ type: 'INTERACTION_TYPE_RATING' }))).toEqual([
        'rating:FIELD.REQUIRED',
      ]);
      expect(codes('interaction', restInteraction({ type: 'rating', rating: 6 }))).toEqual([
        'rating:RATING.OUT_OF_RANGE',
      ]);
      expect(codes('interaction', restInteraction({ type: 'rating', rating: 0 }))).toEqual([
        'rating:RATING.OUT_OF_RANGE',
      ]);
      expect(codes('interaction', restInteraction({ type: 'rating', rating: 3.5 }))).toEqual([
        'rating:NUMBER.NOT_INTEGER',
      ]);
      expect(accept('interaction', restInteraction({ rating: 4 })).event).not.toHaveProperty('rating');
    });

    it('checks the context', () => {
      expect(codes('interaction', restInteraction({ context: 'pdp' }))).toEqual(['context:FIELD.WRONG_TYPE']);
      expect(
        codes('interaction', restInteraction({ context: { variantId: 'v'.repeat(65), page: 'p'.repeat(257) } })),
      ).toEqual(['context.page:FIELD.TOO_LONG', 'context.variantId:FIELD.TOO_LONG']);
      expect(codes('interaction', restInteraction({ context: { recommendationId: 'r'.repeat(129) } }))).toEqual([
        'context.recommendationId:ID.TOO_LONG',
      ]);
      const grpcContext = {
        page: '',
        device: '',
        recommendationId: '',
        experimentId: '',
        variantId: '',
        placement: 'home',
      };
      expect(accept('interaction', grpcInteraction({ context: grpcContext })).event.context).toEqual({
        placement: 'home',
      });
    });

    it('collects every error of a record at once', () => {
      expect(
        codes('interaction', {
          eventId: ['e'],
          itemId: {},
          type: 'purchase',
          occurredAt: 'yesterday',
          quantity: -1,
          unitPrice: { amount: -1, currency: 'XYZ' },
          context: { device: 'd'.repeat(65) },
        }),
      ).toEqual([
        'eventId:FIELD.WRONG_TYPE',
        'userId:SUBJECT.REQUIRED',
        'itemId:FIELD.WRONG_TYPE',
        'occurredAt:TIME.INVALID',
        'quantity:QUANTITY.NEGATIVE',
        'unitPrice.currency:CURRENCY.INVALID',
        'unitPrice.amount:PRICE.NEGATIVE',
        'context.device:FIELD.TOO_LONG',
      ]);
    });
  });

  describe('ids', () => {
    it('trims, applies NFC, removes control characters and collapses whitespace', () => {
      const r = accept(
        'interaction',
        restInteraction({ userId: ' \u0000a\u0007b \t\n c\u200b ', itemId: 'cafe\u0301' }),
      );
      expect(r.event.userId).toBe('ab c');
      expect(r.event.itemId).toBe('caf\u00e9');
      expect(r.flags).toEqual(['ID_NORMALISED']);
    });

    it('turns numeric ids into strings without a fraction', () => {
      const r = accept('interaction', restInteraction({ userId: 17850.0, itemId: 22423 }));
      expect(r.event.userId).toBe('17850');
      expect(r.event.itemId).toBe('22423');
      expect(r.flags).toEqual(['ID_NORMALISED']);
    });

    it('rejects ids that are too long or of the wrong type', () => {
      expect(accept('interaction', restInteraction({ itemId: 'x'.repeat(128) })).event.itemId).toHaveLength(128);
      expect(codes('interaction', restInteraction({ itemId: 'x'.repeat(129) }))).toEqual(['itemId:ID.TOO_LONG']);
      // Normalisation comes first: 130 characters with padding are a valid 128-character id.
      expect(accept('interaction', restInteraction({ itemId: ` ${'x'.repeat(128)} ` })).event.itemId).toHaveLength(128);
      expect(codes('interaction', restInteraction({ itemId: true }))).toEqual(['itemId:FIELD.WRONG_TYPE']);
      expect(codes('interaction', restInteraction({ itemId: ['a'] }))).toEqual(['itemId:FIELD.WRONG_TYPE']);
      expect(codes('interaction', restInteraction({ itemId: Number.NaN }))).toEqual(['itemId:FIELD.WRONG_TYPE']);
      expect(codes('interaction', restInteraction({ itemId: '\u0001 \u0002' }))).toEqual(['itemId:FIELD.REQUIRED']);
    });
  });

  describe('times', () => {
    it('rejects times beyond the clock skew and before the earliest time', () => {
      const at = (ms: number) => new Date(RECEIVED_AT.getTime() + ms).toISOString();
      expect(accept('interaction', restInteraction({ occurredAt: at(4 * 60_000) })).event.occurredAt).toBe(
        at(4 * 60_000),
      );
      expect(codes('interaction', restInteraction({ occurredAt: at(6 * 60_000) }))).toEqual([
        'occurredAt:TIME.FAR_FUTURE',
      ]);
      expect(codes('interaction', restInteraction({ occurredAt: '1989-12-31T23:59:59Z' }))).toEqual([
        'occurredAt:TIME.TOO_OLD',
      ]);
      expect(codes('interaction', restInteraction({ occurredAt: 'not a time' }))).toEqual(['occurredAt:TIME.INVALID']);
      expect(codes('interaction', restInteraction({ occurredAt: true }))).toEqual(['occurredAt:TIME.INVALID']);
      const strict = context({ maxClockSkewMs: 0, earliestTime: new Date('2024-01-01T00:00:00Z') });
      expect(codes('interaction', restInteraction({ occurredAt: at(1) }), strict)).toEqual([
        'occurredAt:TIME.FAR_FUTURE',
      ]);
      expect(codes('interaction', restInteraction({ occurredAt: '2023-12-31T23:59:59Z' }), strict)).toEqual([
        'occurredAt:TIME.TOO_OLD',
      ]);
    });

    it('reads epoch seconds and milliseconds, as numbers and strings', () => {
      const s = Date.parse('2010-12-01T08:26:00Z') / 1000;
      for (const occurredAt of [s, s * 1000, String(s), String(s * 1000)]) {
        const r = accept('interaction', restInteraction({ occurredAt }));
        expect(r.event.occurredAt).toBe('2010-12-01T08:26:00.000Z');
        expect(r.flags).toEqual(['TIME_NORMALISED']);
      }
    });

    it('interprets naive times in the default zone across DST (Europe/London)', () => {
      const london = context({ defaultTimeZone: 'Europe/London' });
      const summer = accept('interaction', restInteraction({ occurredAt: '2024-06-01 09:30:00' }), london);
      expect(summer.event.occurredAt).toBe('2024-06-01T08:30:00.000Z');
      expect(summer.flags).toEqual(['TIME_NORMALISED']);
      const winter = accept('interaction', restInteraction({ occurredAt: '2024-01-15T09:30:00' }), london);
      expect(winter.event.occurredAt).toBe('2024-01-15T09:30:00.000Z');
      // Offsets and Z are never reinterpreted.
      expect(
        accept('interaction', restInteraction({ occurredAt: '2024-06-01T09:30:00Z' }), london).event.occurredAt,
      ).toBe('2024-06-01T09:30:00.000Z');
    });
  });

  describe('money', () => {
    const priced = (unitPrice: unknown, extra: Record<string, unknown> = {}) =>
      restInteraction({ type: 'purchase', unitPrice, ...extra });

    it('converts decimal amounts with the currency minor-unit digits', () => {
      const minor = (unitPrice: unknown) => accept('interaction', priced(unitPrice)).event.unitPriceMinor;
      expect(minor({ amount: 2.55, currency: 'GBP' })).toBe(255);
      expect(minor({ amount: '2.55', currency: 'gbp' })).toBe(255);
      expect(minor({ amount: 300, currency: 'JPY' })).toBe(300);
      expect(minor({ amount: '1.234', currency: 'KWD' })).toBe(1234);
      expect(minor({ amount: 0, currency: 'EUR' })).toBe(0);
      expect(minor({ amountMinor: '1999', currencyCode: 'EUR' })).toBe(1999);
      expect(accept('interaction', priced({ amount: '1.5', currency: 'kwd' })).event.currency).toBe('KWD');
    });

    it('rejects fractions of minor units, negative amounts and unknown currencies', () => {
      expect(codes('interaction', priced({ amount: 2.555, currency: 'GBP' }))).toEqual([
        'unitPrice.amount:PRICE.INVALID',
      ]);
      expect(codes('interaction', priced({ amount: 1.5, currency: 'JPY' }))).toEqual([
        'unitPrice.amount:PRICE.INVALID',
      ]);
      expect(codes('interaction', priced({ amountMinor: 2.5, currencyCode: 'GBP' }))).toEqual([
        'unitPrice.amountMinor:PRICE.INVALID',
      ]);
      expect(codes('interaction', priced({ amountMinor: -5, currencyCode: 'GBP' }))).toEqual([
        'unitPrice.amountMinor:PRICE.NEGATIVE',
      ]);
      expect(codes('interaction', priced({ amountMinor: 100, currencyCode: '' }))).toEqual([
        'unitPrice.currencyCode:CURRENCY.INVALID',
      ]);
      expect(codes('interaction', priced({ amountMinor: 100, currencyCode: 'ABC' }))).toEqual([
        'unitPrice.currencyCode:CURRENCY.INVALID',
      ]);
      expect(codes('interaction', priced({ amount: 1 }))).toEqual(['unitPrice.currencyCode:CURRENCY.INVALID']);
      expect(codes('interaction', priced({ currencyCode: 'GBP' }))).toEqual(['unitPrice.amountMinor:FIELD.REQUIRED']);
      // An empty Money message (all proto3 defaults) counts as no price.
      expect(codes('interaction', priced({ amountMinor: 0, currencyCode: '' }))).toEqual(['unitPrice:PRICE.REQUIRED']);
      expect(
        accept('interaction', restInteraction({ unitPrice: { amountMinor: 0, currencyCode: '' } })).event,
      ).not.toHaveProperty('unitPriceMinor');
      expect(codes('interaction', priced('2.55'))).toEqual(['unitPrice:FIELD.WRONG_TYPE']);
    });

    it('takes tax out of gross prices with the configured rate, and needs one', () => {
      const net = (unitPrice: unknown, taxRates: Record<string, number>) =>
        accept('interaction', priced(unitPrice, { priceIncludesTax: true }), context({ taxRates })).event
          .unitPriceMinor;
      expect(net({ amount: '12.00', currency: 'GBP' }, { GBP: 0.2 })).toBe(1000);
      expect(net({ amountMinor: 255, currencyCode: 'GBP' }, { GBP: 0.2 })).toBe(213);
      expect(net({ amountMinor: 1190, currencyCode: 'EUR' }, { EUR: 0.19 })).toBe(1000);
      expect(net({ amountMinor: 1000, currencyCode: 'USD' }, { USD: 0 })).toBe(1000);
      expect(accept('interaction', priced({ amountMinor: 1000, currencyCode: 'EUR' })).event.unitPriceMinor).toBe(1000);
      expect(
        codes('interaction', priced({ amountMinor: 1000, currencyCode: 'EUR' }, { priceIncludesTax: '1' })),
      ).toEqual(['priceIncludesTax:PRICE.TAX_RATE_UNKNOWN']);
      expect(
        codes(
          'interaction',
          priced({ amountMinor: 1000, currencyCode: 'EUR' }, { priceIncludesTax: true }),
          context({ taxRates: {} }),
        ),
      ).toEqual(['priceIncludesTax:PRICE.TAX_RATE_UNKNOWN']);
    });
  });

  describe('keys', () => {
    it('uses the client event id when there is one', () => {
      expect(accept('interaction', restInteraction({ eventId: ' e 1 ' })).key).toBe('interaction:id:e 1');
    });

    it('hashes the content otherwise: equal content, equal key; different content, different key', () => {
      const a = accept('interaction', restInteraction({ eventId: undefined }));
      const again = accept('interaction', {
        occurredAt: '2024-06-15T10:00:00Z',
        type: 'view',
        itemId: 'i1',
        userId: 'u1',
      });
      expect(again.key).toBe(a.key);
      // A later receivedAt does not change the key when the time came from the client.
      const later = accept(
        'interaction',
        restInteraction({ eventId: undefined }),
        context({ receivedAt: new Date('2024-06-16T00:00:00Z') }),
      );
      expect(later.key).toBe(a.key);
      expect(accept('interaction', restInteraction({ eventId: undefined, itemId: 'i2' })).key).not.toBe(a.key);
      expect(accept('interaction', restInteraction({ eventId: undefined, type: 'click' })).key).not.toBe(a.key);
      // The same instant written differently is the same content.
      expect(
        accept('interaction', restInteraction({ eventId: undefined, occurredAt: '2024-06-15T11:00:00+01:00' })).key,
      ).toBe(a.key);
    });

    it('does not de-duplicate interactions without eventId and occurredAt across batches (documented trade-off)', () => {
      const noTime = restInteraction({ eventId: undefined, occurredAt: undefined });
      const first = accept('interaction', noTime);
      expect(accept('interaction', noTime).key).toBe(first.key);
      const nextBatch = accept('interaction', noTime, context({ receivedAt: new Date(RECEIVED_AT.getTime() + 1000) }));
      expect(nextBatch.key).not.toBe(first.key);
    });

    it('gives items, users and supply parameters content keys that ignore a defaulted time', () => {
      const item = { itemId: 'i1', title: 'Mug' };
      const first = accept('item', item);
      const resent = accept(
        'item',
        { title: 'Mug', itemId: 'i1' },
        context({ receivedAt: new Date('2024-07-01T00:00:00Z') }),
      );
      expect(first.key).toMatch(/^item:h:[A-Za-z0-9_-]{32}$/);
      expect(resent.key).toBe(first.key);
      expect(resent.event.updatedAt).toBe('2024-07-01T00:00:00.000Z');
      expect(accept('item', { itemId: 'i1', title: 'Cup' }).key).not.toBe(first.key);
      expect(accept('item', { ...item, updatedAt: '2024-01-01T00:00:00Z' }).key).not.toBe(first.key);
      expect(accept('user', { userId: 'u1' }).key).toBe(
        accept('user', { userId: 'u1' }, context({ receivedAt: new Date('2024-06-15T13:00:00Z') })).key,
      );
      expect(accept('user', { userId: 'u1' }).key).not.toBe(accept('user', { userId: 'u2' }).key);
    });
  });

  describe('item', () => {
    it('accepts a gRPC-decoded item (proto3 defaults: available false is taken as sent)', () => {
      const r = accept('item', {
        itemId: 'i1',
        title: 'Mug',
        description: '',
        categories: [],
        brand: '',
        price: null,
        attributes: {},
        hidden: false,
        available: false,
        discontinued: false,
        updatedAt: null,
      });
      expect(r.event).toEqual({
        itemId: 'i1',
        title: 'Mug',
        description: '',
        categories: [],
        attributes: {},
        hidden: false,
        available: false,
        discontinued: false,
        updatedAt: RECEIVED_ISO,
      });
      expect(r.flags).toEqual(['TIME_NORMALISED']);
      expect(r.itemIds).toEqual(['i1']);
      expect(r.userId).toBeUndefined();
    });

    it('accepts a REST item with a category path, a decimal price and scalar attributes', () => {
      const r = accept('item', {
        itemId: 85123,
        title: '  White hanging heart  ',
        categories: 'Home > Decor >  > Lights ',
        brand: 'Acme',
        price: { amount: '2.55', currency: 'GBP' },
        attributes: { colour: 'white', size: 10, fragile: true, none: null },
        hidden: 'true',
        updatedAt: '2024-06-15T09:00:00Z',
      });
      expect(r.event).toEqual({
        itemId: '85123',
        title: 'White hanging heart',
        description: '',
        categories: ['Home', 'Decor', 'Lights'],
        brand: 'Acme',
        priceMinor: 255,
        currency: 'GBP',
        attributes: { colour: 'white', size: '10', fragile: 'true' },
        hidden: true,
        available: true,
        discontinued: false,
        updatedAt: '2024-06-15T09:00:00.000Z',
      });
      expect(r.flags).toEqual(['ID_NORMALISED']);
      expect(accept('item', { itemId: 'i', categories: [' Garden ', '', 'Tools'] }).event.categories).toEqual([
        'Garden',
        'Tools',
      ]);
    });

    it('rejects bad attributes, categories, flags and lengths', () => {
      expect(
        codes('item', {
          itemId: '',
          title: 't'.repeat(1025),
          description: 'd'.repeat(20_001),
          brand: 'b'.repeat(257),
          categories: ['ok', 'c'.repeat(257), { x: 1 }],
          attributes: { dims: { w: 1 }, tags: ['a'] },
          available: 'maybe',
          updatedAt: '2099-01-01T00:00:00Z',
        }),
      ).toEqual([
        'itemId:FIELD.REQUIRED',
        'title:FIELD.TOO_LONG',
        'description:FIELD.TOO_LONG',
        'categories[1]:FIELD.TOO_LONG',
        'categories[2]:FIELD.WRONG_TYPE',
        'brand:FIELD.TOO_LONG',
        'attributes.dims:FIELD.WRONG_TYPE',
        'attributes.tags:FIELD.WRONG_TYPE',
        'available:FIELD.WRONG_TYPE',
        'updatedAt:TIME.FAR_FUTURE',
      ]);
      expect(codes('item', { itemId: 'i', categories: Array.from({ length: 65 }, (_, i) => `c${i}`) })).toEqual([
        'categories:FIELD.TOO_LONG',
      ]);
      expect(
        accept('item', { itemId: 'i', categories: Array.from({ length: 64 }, (_, i) => `c${i}`) }).event.categories,
      ).toHaveLength(64);
      expect(codes('item', { itemId: 'i', attributes: 'colour=red' })).toEqual(['attributes:FIELD.WRONG_TYPE']);
      expect(codes('item', { itemId: 'i', categories: 5 })).toEqual(['categories:FIELD.WRONG_TYPE']);
    });
  });

  describe('user', () => {
    it.each([
      ['CONSENT_STATE_GRANTED', true],
      ['CONSENT_STATE_DENIED', false],
      ['CONSENT_STATE_UNSPECIFIED', false],
      ['granted', true],
      ['denied', false],
      [true, true],
      [false, false],
      ['true', true],
      ['0', false],
      [undefined, false],
      [null, false],
    ])('reads consent %p as %p', (personalisationConsent, expected) => {
      const r = accept('user', { userId: 'u1', personalisationConsent });
      expect(r.event.personalisationConsent).toBe(expected);
    });

    it('accepts a gRPC-decoded user and reports its id', () => {
      const r = accept('user', {
        userId: ' u1 ',
        attributes: { segment: 'gold' },
        personalisationConsent: 'CONSENT_STATE_GRANTED',
        updatedAt: TS_10H,
      });
      expect(r.event).toEqual({
        userId: 'u1',
        attributes: { segment: 'gold' },
        personalisationConsent: true,
        updatedAt: '2024-06-15T10:00:00.500Z',
      });
      expect(r.userId).toBe('u1');
      expect(r.itemIds).toEqual([]);
      expect(r.flags).toEqual(['TIME_NORMALISED', 'ID_NORMALISED']);
    });

    it('drops an attribute named __proto__ without touching the prototype', () => {
      const r = accept('user', JSON.parse('{"userId":"u1","attributes":{"__proto__":{"polluted":"x"},"a":"b"}}'));
      expect(r.event.attributes).toEqual({ a: 'b' });
      expect(Object.getPrototypeOf(r.event.attributes)).toBe(Object.prototype);
    });

    it('rejects unknown consent values and nested attributes', () => {
      expect(codes('user', { userId: 'u1', personalisationConsent: 'maybe', attributes: { a: {} } })).toEqual([
        'attributes.a:FIELD.WRONG_TYPE',
        'personalisationConsent:ENUM.UNKNOWN',
      ]);
      expect(codes('user', { userId: null })).toEqual(['userId:FIELD.REQUIRED']);
    });
  });

  describe('sales_line', () => {
    const grpcLine = (overrides: Record<string, unknown> = {}) => ({
      lineId: '',
      invoiceId: '536365',
      sku: '85123A',
      storeId: 'uk-online',
      quantity: 6,
      unitPrice: { amountMinor: 255, currencyCode: 'GBP' },
      priceIncludesTax: false,
      type: 'SALES_LINE_TYPE_SALE',
      soldAt: TS_10H,
      customerId: '',
      ...overrides,
    });

    it('accepts a gRPC-decoded sale; without a line id the hash is the key and the line id', () => {
      const r = accept('sales_line', grpcLine());
      expect(r.key).toMatch(/^sales_line:h:[A-Za-z0-9_-]{32}$/);
      expect(r.event).toEqual({
        lineId: r.key.slice('sales_line:h:'.length),
        invoiceId: '536365',
        sku: '85123A',
        storeId: 'uk-online',
        quantity: 6,
        kind: 'sale',
        unitPriceMinor: 255,
        currency: 'GBP',
        occurredAt: '2024-06-15T10:00:00.500Z',
      });
      expect(r.itemIds).toEqual(['85123A']);
      expect(accept('sales_line', grpcLine()).key).toBe(r.key);
      expect(accept('sales_line', grpcLine({ quantity: 7 })).key).not.toBe(r.key);
    });

    it('accepts a REST line in Online Retail style (naive time, numeric customer, net price)', () => {
      const r = accept(
        'sales_line',
        {
          lineId: 'L1',
          invoiceId: 536365,
          sku: '85123A',
          storeId: 'uk',
          quantity: '6',
          unitPrice: { amount: 3.06, currency: 'GBP' },
          priceIncludesTax: true,
          soldAt: '2010-12-01 08:26:00',
          customerId: 17850.0,
        },
        context({ defaultTimeZone: 'Europe/London' }),
      );
      expect(r.key).toBe('sales_line:id:L1');
      expect(r.event).toMatchObject({
        lineId: 'L1',
        invoiceId: '536365',
        customerId: '17850',
        unitPriceMinor: 255,
        kind: 'sale',
      });
      expect(r.event.occurredAt).toBe('2010-12-01T08:26:00.000Z');
      expect(r.flags).toEqual(['TIME_NORMALISED', 'ID_NORMALISED']);
    });

    it('stores returns negative, whichever sign the client used', () => {
      const ret = (q: number, type: unknown) => accept('sales_line', grpcLine({ quantity: q, type })).event;
      expect(ret(6, 'SALES_LINE_TYPE_RETURN')).toMatchObject({ quantity: -6, kind: 'return' });
      expect(ret(-6, 'return')).toMatchObject({ quantity: -6, kind: 'return' });
      expect(ret(-6, 'SALES_LINE_TYPE_UNSPECIFIED')).toMatchObject({ quantity: -6, kind: 'return' });
      expect(ret(-6, undefined)).toMatchObject({ quantity: -6, kind: 'return' });
      expect(ret(6, '')).toMatchObject({ quantity: 6, kind: 'sale' });
    });

    it('rejects zero, negative sales, missing prices and times, and unknown types', () => {
      expect(codes('sales_line', grpcLine({ quantity: 0 }))).toEqual(['quantity:QUANTITY.ZERO']);
      expect(codes('sales_line', grpcLine({ quantity: -1 }))).toEqual(['quantity:QUANTITY.NEGATIVE']);
      expect(codes('sales_line', grpcLine({ quantity: 1.5 }))).toEqual(['quantity:NUMBER.NOT_INTEGER']);
      expect(codes('sales_line', grpcLine({ type: 'SALES_LINE_TYPE_GIFT' }))).toEqual(['type:ENUM.UNKNOWN']);
      expect(
        codes(
          'sales_line',
          grpcLine({ sku: '', storeId: '', quantity: undefined, unitPrice: null, soldAt: { seconds: 0, nanos: 0 } }),
        ),
      ).toEqual([
        'sku:FIELD.REQUIRED',
        'storeId:FIELD.REQUIRED',
        'quantity:FIELD.REQUIRED',
        'unitPrice:PRICE.REQUIRED',
        'soldAt:FIELD.REQUIRED',
      ]);
    });
  });

  describe('stock_position', () => {
    const grpcPosition = (overrides: Record<string, unknown> = {}) => ({
      positionId: '',
      sku: 'A1',
      storeId: 'S1',
      onHand: -2,
      onOrder: 0,
      observedAt: TS_10H,
      ...overrides,
    });

    it('accepts a gRPC-decoded position with negative book stock', () => {
      const r = accept('stock_position', grpcPosition());
      expect(r.event).toEqual({
        sku: 'A1',
        storeId: 'S1',
        onHand: -2,
        onOrder: 0,
        observedAt: '2024-06-15T10:00:00.500Z',
      });
      expect(r.key).toMatch(/^stock_position:h:[A-Za-z0-9_-]{32}$/);
      expect(r.itemIds).toEqual(['A1']);
      expect(accept('stock_position', grpcPosition({ onHand: 3 })).key).not.toBe(r.key);
    });

    it('accepts a REST position with its client id and string numbers', () => {
      const r = accept('stock_position', {
        positionId: 'p-1',
        sku: 'A1',
        storeId: 'S1',
        onHand: '12',
        onOrder: '4',
        observedAt: '2024-06-15T10:00:00Z',
      });
      expect(r.key).toBe('stock_position:id:p-1');
      expect(r.event).toMatchObject({ onHand: 12, onOrder: 4 });
      expect(r.flags).toEqual([]);
    });

    it('rejects negative orders and missing fields', () => {
      expect(codes('stock_position', grpcPosition({ onOrder: -1 }))).toEqual(['onOrder:QUANTITY.NEGATIVE']);
      expect(codes('stock_position', { sku: 'A1', onHand: 1.5, observedAt: null })).toEqual([
        'storeId:FIELD.REQUIRED',
        'onHand:NUMBER.NOT_INTEGER',
        'observedAt:FIELD.REQUIRED',
      ]);
      expect(codes('stock_position', { storeId: 'S', observedAt: '2024-06-15T10:00:00Z' })).toEqual([
        'sku:FIELD.REQUIRED',
        'onHand:FIELD.REQUIRED',
      ]);
    });
  });

  describe('supply_parameters', () => {
    const grpcSupply = (overrides: Record<string, unknown> = {}) => ({
      sku: 'A1',
      storeId: '',
      leadTimeDays: 7,
      leadTimeStdDays: 0,
      unitCost: { amountMinor: 120, currencyCode: 'GBP' },
      orderCost: null,
      holdingCostRate: 0,
      minOrderQuantity: 0,
      packSize: 0,
      targetServiceLevel: 0,
      reviewPeriodDays: 0,
      effectiveAt: null,
      ...overrides,
    });

    it('accepts gRPC-decoded parameters and applies the proto3 "0 means default" rules', () => {
      const r = accept('supply_parameters', grpcSupply());
      expect(r.event).toEqual({
        sku: 'A1',
        leadTimeDays: 7,
        leadTimeStdDays: 0,
        unitCostMinor: 120,
        orderCostMinor: 0,
        currency: 'GBP',
        minOrderQty: 0,
        packSize: 1,
        serviceLevel: 0.95,
        updatedAt: RECEIVED_ISO,
      });
      expect(r.key).toMatch(/^supply_parameters:h:[A-Za-z0-9_-]{32}$/);
      expect(r.itemIds).toEqual(['A1']);
      expect(r.flags).toEqual(['TIME_NORMALISED']);
    });

    it('accepts REST parameters with every field', () => {
      const r = accept('supply_parameters', {
        sku: 'A1',
        storeId: 'S1',
        leadTimeDays: '3.5',
        leadTimeStdDays: 1.2,
        unitCost: { amount: '1.20', currency: 'GBP' },
        orderCost: { amount: 25, currency: 'GBP' },
        holdingCostRate: 0.25,
        minOrderQuantity: '12',
        packSize: 6,
        targetServiceLevel: '0.98',
        reviewPeriodDays: 7,
        effectiveAt: '2024-06-01T00:00:00Z',
      });
      expect(r.event).toEqual({
        sku: 'A1',
        storeId: 'S1',
        leadTimeDays: 3.5,
        leadTimeStdDays: 1.2,
        unitCostMinor: 120,
        orderCostMinor: 2500,
        holdingCostRate: 0.25,
        currency: 'GBP',
        minOrderQty: 12,
        packSize: 6,
        serviceLevel: 0.98,
        reviewPeriodDays: 7,
        updatedAt: '2024-06-01T00:00:00.000Z',
      });
      expect(r.flags).toEqual([]);
    });

    it('rejects every bad parameter at once', () => {
      expect(
        codes(
          'supply_parameters',
          grpcSupply({
            leadTimeDays: 0,
            leadTimeStdDays: -1,
            orderCost: { amountMinor: 500, currencyCode: 'EUR' },
            holdingCostRate: 11,
            minOrderQuantity: -1,
            packSize: -2,
            targetServiceLevel: 1,
            reviewPeriodDays: -7,
          }),
        ),
      ).toEqual([
        'leadTimeDays:LEAD_TIME.INVALID',
        'leadTimeStdDays:LEAD_TIME.INVALID',
        'orderCost.currencyCode:CURRENCY.MISMATCH',
        'holdingCostRate:NUMBER.OUT_OF_RANGE',
        'minOrderQuantity:QUANTITY.NEGATIVE',
        'packSize:NUMBER.OUT_OF_RANGE',
        'targetServiceLevel:SERVICE_LEVEL.OUT_OF_RANGE',
        'reviewPeriodDays:NUMBER.OUT_OF_RANGE',
      ]);
      expect(codes('supply_parameters', grpcSupply({ targetServiceLevel: -0.1, leadTimeDays: undefined }))).toEqual([
        'leadTimeDays:LEAD_TIME.INVALID',
        'targetServiceLevel:SERVICE_LEVEL.OUT_OF_RANGE',
      ]);
      expect(codes('supply_parameters', grpcSupply({ sku: '', unitCost: null }))).toEqual([
        'sku:FIELD.REQUIRED',
        'unitCost:PRICE.REQUIRED',
      ]);
    });
  });

  describe('speed', () => {
    it('cleans 10,000 typical interactions well under a second', () => {
      const records: Record<string, unknown>[] = [];
      for (let i = 0; i < 10_000; i++) {
        const shape = i % 4;
        if (shape === 0) records.push(grpcInteraction({ userId: `u${i % 977}`, itemId: `i${i % 1013}` }));
        else if (shape === 1)
          records.push(restInteraction({ eventId: `e-${i}`, userId: `u${i % 977}`, itemId: `i${i % 1013}` }));
        else if (shape === 2) {
          records.push(
            restInteraction({
              eventId: undefined,
              type: 'purchase',
              userId: 17_000 + (i % 977),
              occurredAt: '2024-06-15 09:00:00',
              quantity: '2',
              unitPrice: { amount: '2.55', currency: 'GBP' },
              priceIncludesTax: true,
              context: { page: 'pdp', variantId: 'B' },
            }),
          );
        } else {
          records.push(grpcInteraction({ eventId: `g-${i}`, type: 'INTERACTION_TYPE_ADD_TO_CART', quantity: 1 }));
        }
      }
      const ctx = context({ defaultTimeZone: 'Europe/London' });
      // One warm-up pass: the service is long-running, so steady-state JIT code is what counts.
      for (const record of records) cleanRecord('interaction', record, ctx);
      const started = process.hrtime.bigint();
      let accepted = 0;
      for (const record of records) if (cleanRecord('interaction', record, ctx).ok) accepted++;
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(accepted).toBe(records.length);
      expect(elapsedMs).toBeLessThan(1500);
    });
  });
});

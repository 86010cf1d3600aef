import {
  EVENT_CATALOGUE,
  EventSubject,
  InteractionEventV1,
  ItemUpsertedV1,
  StockPositionV1,
  UserErasureRequestedV1,
  UserUpsertedV1,
} from '@app/contracts/events';
import { ErasureFact, Fact } from '../domain';

export type Decoded =
  | { readonly outcome: 'fact'; readonly fact: Fact }
  | { readonly outcome: 'erasure'; readonly erasure: ErasureFact }
  | { readonly outcome: 'ignored' }
  | { readonly outcome: 'rejected'; readonly reason: string };

const WANTED = new Set<EventSubject>([
  'events.v1.interaction',
  'catalog.v1.item',
  'catalog.v1.user',
  'stock.v1.position',
  'privacy.v1.user_erasure_requested',
]);

/** Turns one event of the stream into a fact; subjects the feature store does not use are ignored. */
export function decodeEvent(subject: string, payload: unknown, seq: number): Decoded {
  if (!WANTED.has(subject as EventSubject)) return { outcome: 'ignored' };
  const parsed = EVENT_CATALOGUE[subject as EventSubject].schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { outcome: 'rejected', reason: `payload breaks ${subject}: ${issue?.path.join('.')} ${issue?.message}` };
  }
  switch (subject as EventSubject) {
    case 'events.v1.interaction': {
      const e = parsed.data as InteractionEventV1;
      return {
        outcome: 'fact',
        fact: {
          kind: 'interaction',
          seq,
          eventId: e.eventId,
          userId: e.userId,
          sessionId: e.sessionId,
          itemId: e.itemId,
          type: e.type,
          at: Date.parse(e.occurredAt),
          quantity: e.quantity ?? 1,
          rating: e.rating,
        },
      };
    }
    case 'catalog.v1.item': {
      const e = parsed.data as ItemUpsertedV1;
      return {
        outcome: 'fact',
        fact: {
          kind: 'item',
          seq,
          itemId: e.itemId,
          at: Date.parse(e.updatedAt),
          title: e.title,
          categories: e.categories,
          brand: e.brand,
          priceMinor: e.priceMinor,
          currency: e.currency,
          attributes: e.attributes,
          available: e.available,
          hidden: e.hidden,
          discontinued: e.discontinued,
        },
      };
    }
    case 'catalog.v1.user': {
      const e = parsed.data as UserUpsertedV1;
      return {
        outcome: 'fact',
        fact: {
          kind: 'user',
          seq,
          userId: e.userId,
          at: Date.parse(e.updatedAt),
          personalisationConsent: e.personalisationConsent,
          attributes: e.attributes,
        },
      };
    }
    case 'stock.v1.position': {
      const e = parsed.data as StockPositionV1;
      return {
        outcome: 'fact',
        fact: {
          kind: 'stock',
          seq,
          itemId: e.sku,
          storeId: e.storeId,
          at: Date.parse(e.observedAt),
          onHand: e.onHand,
          onOrder: e.onOrder,
        },
      };
    }
    default: {
      const e = parsed.data as UserErasureRequestedV1;
      return {
        outcome: 'erasure',
        erasure: { kind: 'erasure', seq, userId: e.userId, requestId: e.requestId, at: Date.parse(e.requestedAt) },
      };
    }
  }
}

/**
 * What the feature store learns from the event stream, as plain data. Times are epoch milliseconds
 * (UTC); `seq` is the event's position in the stream, which fixes the order in which facts are applied.
 */

export const INTERACTION_TYPES = [
  'view',
  'click',
  'add_to_cart',
  'remove_from_cart',
  'purchase',
  'rating',
  'impression',
] as const;
export type InteractionTypeName = (typeof INTERACTION_TYPES)[number];

export interface InteractionFact {
  readonly kind: 'interaction';
  readonly seq: number;
  readonly eventId: string;
  readonly userId?: string;
  readonly sessionId?: string;
  readonly itemId: string;
  readonly type: InteractionTypeName;
  readonly at: number;
  readonly quantity: number;
  readonly rating?: number;
}

export interface ItemFact {
  readonly kind: 'item';
  readonly seq: number;
  readonly itemId: string;
  readonly at: number;
  readonly title: string;
  readonly categories: readonly string[];
  readonly brand?: string;
  readonly priceMinor?: number;
  readonly currency?: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly available: boolean;
  readonly hidden: boolean;
  readonly discontinued: boolean;
}

export interface UserFact {
  readonly kind: 'user';
  readonly seq: number;
  readonly userId: string;
  readonly at: number;
  readonly personalisationConsent: boolean;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Stock of one item (the DSS's SKU) in one store. */
export interface StockFact {
  readonly kind: 'stock';
  readonly seq: number;
  readonly itemId: string;
  readonly storeId: string;
  readonly at: number;
  readonly onHand: number;
  readonly onOrder: number;
}

export interface ErasureFact {
  readonly kind: 'erasure';
  readonly seq: number;
  readonly userId: string;
  readonly requestId: string;
  readonly at: number;
}

export type Fact = InteractionFact | ItemFact | UserFact | StockFact;

/** The subject of an interaction for training and co-occurrence: the user, else "session:<id>". */
export function subjectOf(f: InteractionFact): string {
  return f.userId ?? `session:${f.sessionId}`;
}

import { z } from 'zod';
import { Currency, Id, MinorUnits, UtcInstant } from './common.v1';

/*
 * What ingestion publishes after validation and cleaning. Consumers (feature store, dss) may trust
 * every field: ids normalised, times in UTC, money in minor units.
 */

export const InteractionType = z.enum([
  'view',
  'click',
  'add_to_cart',
  'remove_from_cart',
  'purchase',
  'rating',
  'impression',
]);
export type InteractionType = z.infer<typeof InteractionType>;

export const InteractionContextV1 = z.object({
  page: z.string().max(256).optional(),
  device: z.string().max(64).optional(),
  /** The recommendation response this event is attributed to. */
  recommendationId: z.string().max(128).optional(),
  experimentId: z.string().max(128).optional(),
  variant: z.string().max(64).optional(),
  /** Slot on the page, e.g. `pdp-similar`. */
  placement: z.string().max(128).optional(),
});

export const InteractionEventV1 = z
  .object({
    eventId: Id,
    type: InteractionType,
    /** A known shopper, or absent for an anonymous session. */
    userId: Id.optional(),
    sessionId: Id.optional(),
    itemId: Id,
    occurredAt: UtcInstant,
    receivedAt: UtcInstant,
    quantity: z.number().int().positive().optional(),
    unitPriceMinor: MinorUnits.nonnegative().optional(),
    currency: Currency.optional(),
    rating: z.number().int().min(1).max(5).optional(),
    /** For impressions: every item shown, in display order. */
    shownItemIds: z.array(Id).max(1000).optional(),
    context: InteractionContextV1.default({}),
    /** First sighting of this user or item: registered on the fly, catalogue data may follow. */
    newUser: z.boolean().default(false),
    newItem: z.boolean().default(false),
  })
  .refine((e) => e.userId !== undefined || e.sessionId !== undefined, {
    message: 'userId or sessionId is required',
    path: ['userId'],
  });
export type InteractionEventV1 = z.infer<typeof InteractionEventV1>;

export const ItemUpsertedV1 = z.object({
  itemId: Id,
  title: z.string().max(1024).default(''),
  description: z.string().max(20000).default(''),
  categories: z.array(z.string().max(256)).max(64).default([]),
  brand: z.string().max(256).optional(),
  priceMinor: MinorUnits.nonnegative().optional(),
  currency: Currency.optional(),
  attributes: z.record(z.string(), z.string()).default({}),
  hidden: z.boolean().default(false),
  available: z.boolean().default(true),
  /** End of line: never recommended, never reordered. */
  discontinued: z.boolean().default(false),
  updatedAt: UtcInstant,
});
export type ItemUpsertedV1 = z.infer<typeof ItemUpsertedV1>;

export const UserUpsertedV1 = z.object({
  userId: Id,
  attributes: z.record(z.string(), z.string()).default({}),
  /** Consent to personalisation; without it only non-personalised results are served. */
  personalisationConsent: z.boolean(),
  updatedAt: UtcInstant,
});
export type UserUpsertedV1 = z.infer<typeof UserUpsertedV1>;

export const SalesLineV1 = z.object({
  lineId: Id,
  /** Invoice or receipt the line belongs to, when known. */
  invoiceId: Id.optional(),
  sku: Id,
  storeId: Id,
  /** Negative for returns. */
  quantity: z
    .number()
    .int()
    .refine((q) => q !== 0, { message: 'must not be zero' }),
  kind: z.enum(['sale', 'return']),
  unitPriceMinor: MinorUnits.nonnegative(),
  currency: Currency,
  occurredAt: UtcInstant,
  customerId: Id.optional(),
});
export type SalesLineV1 = z.infer<typeof SalesLineV1>;

export const StockPositionV1 = z.object({
  sku: Id,
  storeId: Id,
  onHand: z.number().int(),
  onOrder: z.number().int().nonnegative(),
  observedAt: UtcInstant,
});
export type StockPositionV1 = z.infer<typeof StockPositionV1>;

export const SupplyParametersV1 = z.object({
  sku: Id,
  /** Absent: the parameters apply to every store. */
  storeId: Id.optional(),
  leadTimeDays: z.number().positive(),
  leadTimeStdDays: z.number().nonnegative().default(0),
  unitCostMinor: MinorUnits.nonnegative(),
  orderCostMinor: MinorUnits.nonnegative().default(0),
  holdingCostRate: z.number().nonnegative().max(10).optional(),
  currency: Currency,
  minOrderQty: z.number().int().nonnegative().default(0),
  packSize: z.number().int().positive().default(1),
  /** Target cycle service level, e.g. 0.95. */
  serviceLevel: z.number().gt(0).lt(1),
  /** Days between orders for periodic review; absent: continuous review. */
  reviewPeriodDays: z.number().int().positive().optional(),
  updatedAt: UtcInstant,
});
export type SupplyParametersV1 = z.infer<typeof SupplyParametersV1>;

export const UserErasureRequestedV1 = z.object({
  userId: Id,
  requestId: Id,
  requestedAt: UtcInstant,
});
export type UserErasureRequestedV1 = z.infer<typeof UserErasureRequestedV1>;

/**
 * Raw submissions from producers that prefer the bus to REST/gRPC. Ingestion validates them like any
 * other request, so the payload is deliberately loose here.
 */
export const RawSubmissionV1 = z.object({
  kind: z.enum(['interaction', 'item', 'user', 'sales_line', 'stock_position', 'supply_parameters']),
  records: z.array(z.record(z.string(), z.unknown())).min(1),
  source: z.string().max(128).optional(),
});
export type RawSubmissionV1 = z.infer<typeof RawSubmissionV1>;

import { z } from 'zod';
import { Id, UtcInstant } from './common.v1';

/** Every state change of a stock-level suggestion, for audit and for downstream ordering systems. */
export const SuggestionChangedV1 = z.object({
  suggestionId: Id,
  sku: Id,
  storeId: Id,
  status: z.enum(['proposed', 'accepted', 'rejected', 'expired']),
  reorderPoint: z.number().nonnegative(),
  safetyStock: z.number().nonnegative(),
  orderQuantity: z.number().int().nonnegative(),
  reason: z.string().max(4000),
  decidedBy: z.string().max(256).optional(),
  decisionNote: z.string().max(4000).optional(),
  changedAt: UtcInstant,
});
export type SuggestionChangedV1 = z.infer<typeof SuggestionChangedV1>;

import { z } from 'zod';
import { Id, UtcInstant } from './common.v1';

/** Announces a new champion model; servers fetch the artifact by id (they never get the bytes here). */
export const ModelPromotedV1 = z.object({
  modelId: Id,
  version: z.number().int().positive(),
  algorithm: z.string().min(1).max(64),
  checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  artifactUri: z.string().min(1).max(1024),
  trainedUntil: UtcInstant,
  metrics: z.record(z.string(), z.number()).default({}),
  previousModelId: Id.optional(),
  reason: z.enum(['beat_champion', 'first_model', 'manual', 'rollback']),
  promotedAt: UtcInstant,
});
export type ModelPromotedV1 = z.infer<typeof ModelPromotedV1>;

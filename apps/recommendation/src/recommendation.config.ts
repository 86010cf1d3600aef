import { platformConfigSchema } from '@app/platform/config';
import { z } from 'zod';

/** Every variable the recommendation service reads; `.env.example` lists them with their defaults. */
export const recommendationConfigSchema = platformConfigSchema('recommendation');

export type RecommendationConfig = z.infer<typeof recommendationConfigSchema>;

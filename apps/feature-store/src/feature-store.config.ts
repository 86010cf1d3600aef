import { platformConfigSchema } from '@app/platform/config';
import { z } from 'zod';

/** Every variable the feature-store service reads; `.env.example` lists them with their defaults. */
export const featureStoreConfigSchema = platformConfigSchema('feature-store');

export type FeatureStoreConfig = z.infer<typeof featureStoreConfigSchema>;

import { platformConfigSchema } from '@app/platform/config';
import { z } from 'zod';

/** Every variable the ingestion service reads; `.env.example` lists them with their defaults. */
export const ingestionConfigSchema = platformConfigSchema('ingestion');

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

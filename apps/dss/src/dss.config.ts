import { platformConfigSchema } from '@app/platform/config';
import { z } from 'zod';

/** Every variable the dss service reads; `.env.example` lists them with their defaults. */
export const dssConfigSchema = platformConfigSchema('dss');

export type DssConfig = z.infer<typeof dssConfigSchema>;

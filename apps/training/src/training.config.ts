import { platformConfigSchema } from '@app/platform/config';
import { z } from 'zod';

/** Every variable the training service reads; `.env.example` lists them with their defaults. */
export const trainingConfigSchema = platformConfigSchema('training');

export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

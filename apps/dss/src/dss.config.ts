import { platformConfigSchema, positiveInt } from '@app/platform/config';
import { z } from 'zod';

/** Every variable the dss service reads; `.env.example` lists them with their defaults. */
export const dssConfigSchema = platformConfigSchema('dss').extend({
  /** Days of daily history a forecast reads (trimmed to the first sale). */
  DSS_HISTORY_DAYS: positiveInt(730),
  /** Supply parameters assumed for an item that has none (the suggestion says so). */
  DSS_DEFAULT_LEAD_TIME_DAYS: z.coerce.number().positive().max(365).default(7),
  DSS_DEFAULT_SERVICE_LEVEL: z.coerce.number().gt(0).lt(1).default(0.95),
  /** Days between orders for continuous review without an EOQ, and the default forecast horizon's review part. */
  DSS_DEFAULT_REVIEW_PERIOD_DAYS: positiveInt(7),
  /** Yearly holding cost as a share of unit cost, for the EOQ, when an item's parameters do not give one. */
  DSS_DEFAULT_HOLDING_COST_RATE: z.coerce.number().positive().max(10).default(0.25),
  /** Currency of suggestions for items without supply parameters or a catalogue price. */
  DSS_DEFAULT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, { message: 'expected an ISO-4217 code such as EUR' })
    .default('EUR'),
  /** Last days held out to measure each chosen model's accuracy (MASE, bias, interval coverage). */
  DSS_ACCURACY_HOLDOUT_DAYS: positiveInt(28),
  /** Scheduled recomputation of every forecast and suggestion; 0 = off (on demand only). */
  DSS_RECOMPUTE_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    // Node timers hold at most 2^31 − 1 ms (about 24.8 days).
    .max(35_000, { message: 'at most 35000 minutes (about 24 days)' })
    .default(1440),
  /** SKU × store pairs computed and stored per transaction. */
  DSS_COMPUTE_BATCH_SIZE: positiveInt(100),
  /** Worker threads that forecast and plan during a computation: auto = one per available CPU, 0 = none. */
  DSS_COMPUTE_WORKERS: z.union([z.literal('auto'), z.coerce.number().int().min(0).max(64)]).default('auto'),
});

export type DssConfig = z.infer<typeof dssConfigSchema>;

import { bool, platformConfigSchema, positiveInt } from '@app/platform/config';
import { z } from 'zod';
import { FeatureParams } from './domain';

const positive = (def: number) => z.coerce.number().positive().default(def);

/** Every variable the feature-store service reads; `.env.example` lists them with their defaults. */
export const featureStoreConfigSchema = platformConfigSchema('feature-store').extend({
  /** Consume the event stream in this process (one replica at a time applies it; others stand by and serve reads). */
  FEATURE_STORE_CONSUMER_ENABLED: bool(true),
  /** Durable consumer name on the EVENTS stream. */
  FEATURE_STORE_DURABLE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('feature-store'),
  /** Most events applied in one transaction. */
  FEATURE_STORE_BATCH_SIZE: positiveInt(2000),
  /** Half-life of decayed item popularity, hours. */
  FEATURE_STORE_POPULARITY_HALF_LIFE_HOURS: positive(168),
  /** Half-lives of the trending score's recent rate and baseline, hours. */
  FEATURE_STORE_TRENDING_SHORT_HALF_LIFE_HOURS: positive(24),
  FEATURE_STORE_TRENDING_LONG_HALF_LIFE_HOURS: positive(336),
  /** Half-life of users' category affinities, days. */
  FEATURE_STORE_AFFINITY_HALF_LIFE_DAYS: positive(30),
  /** How long a computed popular/trending ranking is served before it is computed again, seconds. */
  FEATURE_STORE_TOP_ITEMS_REFRESH_SECONDS: positiveInt(10),
  /** Units on hand at or below which an item is low on stock. */
  FEATURE_STORE_LOW_STOCK_UNITS: z.coerce.number().int().min(0).default(5),
});

export type FeatureStoreConfig = z.infer<typeof featureStoreConfigSchema>;

export function featureParams(c: FeatureStoreConfig): FeatureParams {
  const h = 3_600_000;
  return {
    popularityHalfLifeMs: c.FEATURE_STORE_POPULARITY_HALF_LIFE_HOURS * h,
    trendingShortHalfLifeMs: c.FEATURE_STORE_TRENDING_SHORT_HALF_LIFE_HOURS * h,
    trendingLongHalfLifeMs: c.FEATURE_STORE_TRENDING_LONG_HALF_LIFE_HOURS * h,
    affinityHalfLifeMs: c.FEATURE_STORE_AFFINITY_HALF_LIFE_DAYS * 24 * h,
    lowStockUnits: c.FEATURE_STORE_LOW_STOCK_UNITS,
  };
}

import { bool, platformConfigSchema, positiveInt } from '@app/platform/config';
import { z } from 'zod';

const share = (def: number) => z.coerce.number().min(0).max(1).default(def);

/** Every variable the recommendation service reads; `.env.example` lists them with their defaults. */
export const recommendationConfigSchema = platformConfigSchema('recommendation').extend({
  /** Deadline of one online-features call to the feature store (the breaker opens on repeated misses). */
  RECOMMENDATION_FEATURE_TIMEOUT_MS: positiveInt(150),
  /** Deadline of a call for model metadata to the training service. */
  RECOMMENDATION_TRAINING_TIMEOUT_MS: positiveInt(5000),
  /** Deadline of a whole model artifact download. */
  RECOMMENDATION_ARTIFACT_TIMEOUT_MS: positiveInt(120_000),
  /** How often each replica asks training for the champion, in case it missed a promotion; 0 = never. */
  RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Default diversity (maximal marginal relevance λ): 0 = relevance only, 1 = diversity only. */
  RECOMMENDATION_DIVERSITY: share(0.2),
  /** Candidates scored per item asked for, before filters and re-ranking. */
  RECOMMENDATION_CANDIDATE_FACTOR: positiveInt(5),
  /** How long an answer for a user or session is reused (dropped at once when they act); 0 = no cache. */
  RECOMMENDATION_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(30),
  RECOMMENDATION_CACHE_MAX_ENTRIES: positiveInt(100_000),
  /** How long item features (categories, price, stock) fetched from the feature store are reused. */
  RECOMMENDATION_ITEM_CACHE_TTL_SECONDS: positiveInt(60),
  /** How long popular and trending lists are reused. */
  RECOMMENDATION_TOP_ITEMS_TTL_SECONDS: positiveInt(10),
  /** Personalise users whose consent is unknown (the proto's default is "not consented"). */
  RECOMMENDATION_PERSONALISE_UNKNOWN_CONSENT: bool(false),
  /** How often running experiments are re-read from the database. */
  RECOMMENDATION_EXPERIMENT_REFRESH_SECONDS: positiveInt(5),
  /** Durable consumer counting impressions, clicks and purchases for experiments. */
  RECOMMENDATION_FEEDBACK_DURABLE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('recommendation-feedback'),
});

export type RecommendationConfig = z.infer<typeof recommendationConfigSchema>;

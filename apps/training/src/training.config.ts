import { bool, platformConfigSchema, positiveInt } from '@app/platform/config';
import { z } from 'zod';

/** Algorithm names as the recommender library registers them (checked against the registry at start-up). */
const algorithmList = z
  .string()
  .regex(/^[a-z][a-z-]*(,[a-z][a-z-]*)*$/, { message: 'expected a comma-separated list such as popularity,ease,als' });

/** Every variable the training service reads; `.env.example` lists them with their defaults. */
export const trainingConfigSchema = platformConfigSchema('training').extend({
  /**
   * Candidates a run trains when the request names none. From bench/results/training.json: EASE and ALS lead on
   * MovieLens and Online Retail, SAR is the cheap neighbourhood baseline, popularity the floor every model must beat;
   * hybrid is best on the temporal retail protocol but costs 5–20× the fit time, so it is opt-in.
   */
  TRAINING_CANDIDATES: algorithmList.default('popularity,sar,ease,als'),
  /** Share of the training set (oldest first) used for fitting; the rest is the holdout. */
  TRAINING_TRAIN_RATIO: z.coerce.number().gt(0).lt(1).default(0.8),
  /** Seed of the split and of the seeded models. */
  TRAINING_SEED: z.coerce.number().int().min(0).default(42),
  /** Cut-off k of the ranking metrics. */
  TRAINING_METRIC_K: positiveInt(10),
  /** Metric that decides promotion: ndcg, precision, recall, map, mrr or hit_rate. */
  TRAINING_PRIMARY_METRIC: z.enum(['ndcg', 'precision', 'recall', 'map', 'mrr', 'hit_rate']).default('ndcg'),
  /** Relative improvement over the champion a challenger needs on the same holdout (0.01 = 1%). */
  TRAINING_PROMOTION_MARGIN: z.coerce.number().min(0).max(10).default(0.01),
  /** Promote automatically at the end of scheduled and new-data runs. */
  TRAINING_AUTO_PROMOTE: bool(true),
  /** Training-set window when a request gives no start: this many days before the as-of time; 0 = all history. */
  TRAINING_WINDOW_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  /** Scheduled runs; 0 = off. */
  TRAINING_SCHEDULE_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    // Node timers hold at most 2^31 − 1 ms (about 24.8 days).
    .max(35_000, { message: 'at most 35000 minutes (about 24 days)' })
    .default(1440),
  /** Start a run once this many interaction events arrived since the last run started; 0 = off. */
  TRAINING_MIN_NEW_EVENTS: z.coerce.number().int().min(0).default(10_000),
  /** How often a process looks for queued or orphaned runs (a StartRun here wakes it at once). */
  TRAINING_POLL_INTERVAL_MS: positiveInt(5000),
  /** Where model artifacts are stored. */
  TRAINING_ARTIFACT_STORE: z.enum(['database', 'filesystem']).default('database'),
  /** Directory of the filesystem artifact store. */
  TRAINING_ARTIFACT_DIR: z.string().min(1).default('.data/models'),
  /** Interactions per training-set stream message asked of the feature store. */
  TRAINING_FETCH_BATCH_SIZE: positiveInt(5000),
  /** Deadline of one training-set stream (it is resumed from its last batch up to 3 times). */
  TRAINING_FETCH_TIMEOUT_MS: positiveInt(600_000),
});

export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

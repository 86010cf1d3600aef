/**
 * A training run: fetch a point-in-time training set, split it by time, fit and evaluate each candidate on the
 * same holdout, register them, and decide on promotion. Every finished step is checkpointed, so a run that a
 * crash, a shutdown or an error interrupted resumes where it stopped.
 */
export type RunState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type RunTrigger = 'manual' | 'schedule' | 'new_data';

export const ACTIVE_RUN_STATES: readonly RunState[] = ['pending', 'running'];

/** Hyper-parameter values as the API carries them. */
export type ParamValue = number | string | boolean;

export interface CandidateSpec {
  algorithm: string;
  params: Record<string, ParamValue>;
  tuningBudgetSeconds: number;
}

export type SplitMethod = 'random-user' | 'stratified-user' | 'stratified-item' | 'temporal' | 'leave-last-out';

export interface EvaluationSpec {
  split: SplitMethod;
  trainRatio: number;
  seed: number;
  k: number;
  primaryMetric: string;
}

/** What to train on: interactions in [windowStart, asOf), weighted per type. */
export interface TrainingSetRequest {
  asOf: Date;
  windowStart?: Date;
  /** Interaction type (proto enum name, e.g. INTERACTION_TYPE_PURCHASE) → weight; empty = the store's defaults. */
  weights: { type: string; weight: number }[];
  includeItems: boolean;
}

export interface RunSpec {
  candidates: CandidateSpec[];
  evaluation: EvaluationSpec;
  trainingSet: TrainingSetRequest;
  autoPromote: boolean;
  /** Relative margin a challenger needs over the champion (the configured one when the run was asked for). */
  margin: number;
}

export interface DataWindow {
  windowStart?: Date;
  asOf: Date;
  snapshotId: string;
  interactionCount: number;
  userCount: number;
  itemCount: number;
}

export interface MetricValue {
  name: string;
  k: number;
  value: number;
}

export interface CandidateResult {
  spec: CandidateSpec;
  /** Empty when fitting failed. */
  modelId: string;
  metrics: MetricValue[];
  fitSeconds: number;
  errorMessage: string;
}

export interface RunProgress {
  stage: string;
  done: number;
  total: number;
  unitsPerSecond: number;
}

export interface PromotionDecision {
  promoted: boolean;
  reason: string;
  metric: string;
  challengerValue: number;
  championValue: number;
  margin: number;
  previousChampionId: string;
  /** Why, for the `models.v1.promoted` event. */
  eventReason?: 'beat_champion' | 'first_model' | 'manual' | 'rollback';
}

export interface Run {
  runId: string;
  requestId?: string;
  state: RunState;
  trigger: RunTrigger;
  requestedBy: string;
  spec: RunSpec;
  dataWindow?: DataWindow;
  progress: RunProgress;
  results: CandidateResult[];
  promotion?: PromotionDecision;
  resumeCount: number;
  errorMessage: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/** Metric names as the API shows them → keys of the recommender library's evaluation result. */
export const METRIC_KEYS = {
  ndcg: 'ndcg',
  precision: 'precision',
  recall: 'recall',
  map: 'map',
  mrr: 'mrr',
  hit_rate: 'hitRate',
  coverage: 'coverage',
  novelty: 'novelty',
  diversity: 'diversity',
} as const;
export type MetricName = keyof typeof METRIC_KEYS;

/** Metrics without a cut-off (reported with k = 0). */
export const METRICS_WITHOUT_K: ReadonlySet<string> = new Set(['coverage']);

export function metricValue(metrics: readonly MetricValue[], name: string): number | undefined {
  return metrics.find((m) => m.name === name)?.value;
}

/** "ndcg@10", or "coverage" for metrics without a cut-off. */
export function metricLabel(name: string, k: number): string {
  return METRICS_WITHOUT_K.has(name) || k === 0 ? name : `${name}@${k}`;
}

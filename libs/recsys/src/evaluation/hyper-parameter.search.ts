import type { InteractionDataset } from '../core/interaction.dataset';
import { Rng } from '../math/rng';
import type { AlgorithmRegistry } from '../models/algorithm.registry';
import { sampleParams } from '../models/params.schema';
import { splitDataset } from './dataset.splits';
import { evaluateRecommender, EvaluationResult } from './recommender.evaluator';

export type SearchMetric = 'ndcg' | 'precision' | 'recall' | 'map' | 'mrr' | 'hitRate';

export interface SearchOptions {
  registry: AlgorithmRegistry;
  algorithm: string;
  /** Training data only: the search carves its own validation set out of it, so the test set stays untouched. */
  train: InteractionDataset;
  /** Wall-clock budget; the trial running when it expires finishes, no new one starts. */
  budgetSeconds: number;
  maxTrials?: number;
  seed?: number;
  k?: number;
  metric?: SearchMetric;
  /** Share of each user's training interactions held out for validation (stratified by user). */
  validationRatio?: number;
  /** Parameters fixed for every trial (override sampled values). */
  fixed?: Record<string, unknown>;
  onTrial?: (trial: SearchTrial) => void;
}

export interface SearchTrial {
  params: Record<string, unknown>;
  score: number;
  fitSeconds: number;
  evaluation?: EvaluationResult;
  error?: string;
}

export interface SearchResult {
  algorithm: string;
  metric: SearchMetric;
  k: number;
  best: SearchTrial;
  trials: SearchTrial[];
  seconds: number;
}

/**
 * Random search (Bergstra & Bengio 2012) over the algorithm's declared search space, within a time budget.
 * The first trial is the defaults, so the result is never worse than them on validation. Deterministic for a
 * seed except for where the budget cuts the sequence.
 */
export async function searchHyperParameters(options: SearchOptions): Promise<SearchResult> {
  const started = performance.now();
  const { registry, algorithm, train } = options;
  const k = options.k ?? 10;
  const metric = options.metric ?? 'ndcg';
  const seed = options.seed ?? 42;
  const spec = registry.get(algorithm);
  const rng = new Rng(seed);
  const split = splitDataset(train, { method: 'stratified-user', ratio: 1 - (options.validationRatio ?? 0.2), seed });
  const trials: SearchTrial[] = [];
  const elapsed = (): number => (performance.now() - started) / 1000;
  while (elapsed() < options.budgetSeconds && trials.length < (options.maxTrials ?? Infinity)) {
    const params = { ...(trials.length === 0 ? {} : sampleParams(spec.schema, rng)), ...(options.fixed ?? {}) };
    let trial: SearchTrial;
    try {
      const model = registry.create(algorithm, params);
      const report = await model.fit(split.train, { seed });
      const evaluation = evaluateRecommender(model, split.train, split.test, { k, accuracyOnly: true });
      trial = { params, score: evaluation[metric], fitSeconds: report.seconds, evaluation };
    } catch (error) {
      trial = {
        params,
        score: -Infinity,
        fitSeconds: 0,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    trials.push(trial);
    options.onTrial?.(trial);
  }
  const best = trials.reduce((a, b) => (b.score > a.score ? b : a));
  return { algorithm, metric, k, best, trials, seconds: elapsed() };
}

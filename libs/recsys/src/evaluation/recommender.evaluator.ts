import type { InteractionDataset } from '../core/interaction.dataset';
import { RecsysError } from '../core/recsys.errors';
import { topK } from '../math/top-k';
import type { IndexedRecommender } from '../models/base.recommender';
import {
  averagePopularity,
  catalogueCoverage,
  intraListDiversity,
  novelty,
  RankingMetrics,
  rankingMetrics,
} from './ranking.metrics';

export interface EvaluationOptions {
  k: number;
  /** Skip intra-list diversity (O(k²) set intersections per user) when only accuracy matters, e.g. in tuning. */
  accuracyOnly?: boolean;
  /** Evaluate at most this many users (a seeded prefix is the caller's business); default all. */
  maxUsers?: number;
}

export interface EvaluationResult extends RankingMetrics {
  k: number;
  /** Users evaluated: at least one training interaction and one relevant test item. */
  users: number;
  /** Test users without any training interaction (not scored: no history to personalise from). */
  coldUsers: number;
  /** Users whose test items were all in their training history already (nothing new to find). */
  usersWithoutNewItems: number;
  coverage: number;
  novelty: number;
  /** Average recommendation popularity (training users per recommended item). */
  averagePopularity: number;
  diversity: number;
  seconds: number;
}

/**
 * Full-ranking evaluation: every item the model knows competes (no sampled negatives), the user's training items
 * are excluded, and the relevant set is the user's test items minus those training items — a recommender that
 * never re-recommends seen items can only be judged on new ones. Metrics are averaged over users.
 */
export function evaluateRecommender(
  model: IndexedRecommender,
  train: InteractionDataset,
  test: InteractionDataset,
  options: EvaluationOptions,
): EvaluationResult {
  const started = performance.now();
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new RecsysError('RECSYS.BAD_PARAMS', 'k must be a positive integer');
  if (model.itemIds.size !== train.numItems) {
    throw new RecsysError('RECSYS.BAD_PARAMS', 'the model was not fitted on this training set (item counts differ)');
  }
  const trainMatrix = train.toMatrix();
  const byItem = trainMatrix.transpose();
  const itemUsers = trainMatrix.columnCounts();
  const testMatrix = test.toMatrix();
  const numItems = train.numItems;
  const scores = new Float32Array(numItems);
  const excluded = new Uint8Array(numItems);
  const sums = { precision: 0, recall: 0, ndcg: 0, map: 0, mrr: 0, hitRate: 0, novelty: 0, arp: 0, diversity: 0 };
  const lists: Int32Array[] = [];
  let users = 0;
  let coldUsers = 0;
  let withoutNew = 0;
  for (let u = 0; u < testMatrix.rows; u++) {
    if (testMatrix.rowLength(u) === 0) continue;
    if (trainMatrix.rowLength(u) === 0) {
      coldUsers++;
      continue;
    }
    const seen = trainMatrix.rowIndices(u);
    const relevant = new Set<number>();
    for (const i of testMatrix.rowIndices(u)) relevant.add(i);
    for (const i of seen) relevant.delete(i);
    if (relevant.size === 0) {
      withoutNew++;
      continue;
    }
    if (options.maxUsers !== undefined && users >= options.maxUsers) break;
    scores.fill(0);
    model.scoreInto(model.historyOfUser(u), scores);
    for (const i of seen) excluded[i] = 1;
    const list = topK(scores, k, excluded);
    for (const i of seen) excluded[i] = 0;
    const m = rankingMetrics(list, relevant, k);
    sums.precision += m.precision;
    sums.recall += m.recall;
    sums.ndcg += m.ndcg;
    sums.map += m.map;
    sums.mrr += m.mrr;
    sums.hitRate += m.hitRate;
    if (!options.accuracyOnly) {
      sums.novelty += novelty(list, itemUsers, trainMatrix.rows);
      sums.arp += averagePopularity(list, itemUsers);
      sums.diversity += intraListDiversity(list, byItem);
      lists.push(list);
    }
    users++;
  }
  const avg = (x: number): number => (users > 0 ? x / users : 0);
  return {
    k,
    users,
    coldUsers,
    usersWithoutNewItems: withoutNew,
    precision: avg(sums.precision),
    recall: avg(sums.recall),
    ndcg: avg(sums.ndcg),
    map: avg(sums.map),
    mrr: avg(sums.mrr),
    hitRate: avg(sums.hitRate),
    coverage: options.accuracyOnly ? 0 : catalogueCoverage(lists, numItems),
    novelty: avg(sums.novelty),
    averagePopularity: avg(sums.arp),
    diversity: avg(sums.diversity),
    seconds: (performance.now() - started) / 1000,
  };
}

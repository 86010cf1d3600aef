import {
  catalogueCoverage,
  type InteractionDataset,
  isIndexedRecommender,
  rankingMetrics,
  type Recommender,
} from '@app/recsys';
import type { MetricValue } from './run';

/**
 * Scores any model on a holdout through its public, id-based API, so a champion fitted on an older training set
 * (other users, other items, other indices) is measured on exactly the challenger's holdout. Per user: the query
 * is the user id plus the training items the model does not already hold for that user (fresh history, as the
 * recommendation service would pass it); the user's training items are excluded; relevant = test items not in
 * training. For a model fitted on `train` this equals the library's full-ranking `evaluateRecommender`.
 */
export function evaluateOnHoldout(
  model: Recommender,
  train: InteractionDataset,
  test: InteractionDataset,
  k: number,
): MetricValue[] {
  const trainMatrix = train.toMatrix();
  const testMatrix = test.toMatrix();
  const sums = { precision: 0, recall: 0, ndcg: 0, map: 0, mrr: 0, hitRate: 0 };
  const lists: Int32Array[] = [];
  let users = 0;
  for (let u = 0; u < testMatrix.rows; u++) {
    if (testMatrix.rowLength(u) === 0 || u >= trainMatrix.rows || trainMatrix.rowLength(u) === 0) continue;
    const seen = trainMatrix.rowIndices(u);
    const relevant = new Set<number>(testMatrix.rowIndices(u));
    for (const i of seen) relevant.delete(i);
    if (relevant.size === 0) continue;
    const userId = train.users.idOf(u);
    const times = trainMatrix.rowTimes(u);
    const known = knownItems(model, userId);
    const fresh: { id: string; t: number }[] = [];
    seen.forEach((i, p) => {
      const id = train.items.idOf(i);
      if (!known.has(id)) fresh.push({ id, t: times?.[p] ?? 0 });
    });
    fresh.sort((a, b) => a.t - b.t);
    const exclude = Array.from(seen, (i) => train.items.idOf(i));
    const recs = model.recommend(
      { userId, items: fresh.map((f) => f.id), timestamps: times ? fresh.map((f) => f.t) : undefined },
      { k, exclude },
    );
    const list = Int32Array.from(recs, (r) => train.items.indexOf(r.itemId));
    const m = rankingMetrics(list, relevant, k);
    sums.precision += m.precision;
    sums.recall += m.recall;
    sums.ndcg += m.ndcg;
    sums.map += m.map;
    sums.mrr += m.mrr;
    sums.hitRate += m.hitRate;
    lists.push(list.filter((i) => i >= 0));
    users++;
  }
  const avg = (x: number) => (users > 0 ? x / users : 0);
  return [
    { name: 'ndcg', k, value: avg(sums.ndcg) },
    { name: 'precision', k, value: avg(sums.precision) },
    { name: 'recall', k, value: avg(sums.recall) },
    { name: 'map', k, value: avg(sums.map) },
    { name: 'mrr', k, value: avg(sums.mrr) },
    { name: 'hit_rate', k, value: avg(sums.hitRate) },
    { name: 'coverage', k: 0, value: catalogueCoverage(lists, train.numItems) },
  ];
}

function knownItems(model: Recommender, userId: string): Set<string> {
  if (!isIndexedRecommender(model)) return new Set();
  const history = model.historyOf({ userId });
  return new Set(Array.from(history.items, (i) => model.itemIds.idOf(i)));
}

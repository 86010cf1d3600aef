import type { CsrMatrix } from '../core/csr.matrix';

/** Accuracy of one ranked list against one user's relevant (held-out) items, binary relevance. */
export interface RankingMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  mrr: number;
  hitRate: number;
}

/**
 * Standard definitions at cut-off k (as in RecBole and Microsoft Recommenders):
 * - precision = hits / k (k, not the list length: a short list is not rewarded);
 * - recall = hits / |relevant|;
 * - NDCG = DCG / IDCG with DCG = Σ_{r ≤ k, hit} 1/log2(r + 1) and IDCG the DCG of min(k, |relevant|) hits;
 * - MAP (AP@k) = Σ_{r ≤ k, hit} precision@r / min(k, |relevant|);
 * - MRR = 1 / rank of the first hit within k (0 when none); hit rate = 1 when any hit.
 */
export function rankingMetrics(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): RankingMetrics {
  const n = Math.min(k, ranked.length);
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  let firstHit = 0;
  for (let r = 0; r < n; r++) {
    if (!relevant.has(ranked[r])) continue;
    hits++;
    dcg += 1 / Math.log2(r + 2);
    apSum += hits / (r + 1);
    if (firstHit === 0) firstHit = r + 1;
  }
  const ideal = Math.min(k, relevant.size);
  let idcg = 0;
  for (let r = 0; r < ideal; r++) idcg += 1 / Math.log2(r + 2);
  return {
    precision: hits / k,
    recall: relevant.size > 0 ? hits / relevant.size : 0,
    ndcg: idcg > 0 ? dcg / idcg : 0,
    map: ideal > 0 ? apSum / ideal : 0,
    mrr: firstHit > 0 ? 1 / firstHit : 0,
    hitRate: hits > 0 ? 1 : 0,
  };
}

/** Share of the catalogue that appears in at least one list. */
export function catalogueCoverage(lists: readonly ArrayLike<number>[], numItems: number): number {
  const seen = new Uint8Array(numItems);
  let count = 0;
  for (const list of lists) {
    for (let r = 0; r < list.length; r++) {
      if (seen[list[r]] === 0) {
        seen[list[r]] = 1;
        count++;
      }
    }
  }
  return numItems > 0 ? count / numItems : 0;
}

/**
 * Mean self-information of recommended items, −log2(share of training users who interacted with the item)
 * (Zhou et al. 2010, PNAS): higher means less obvious recommendations. Items nobody interacted with count as
 * seen by one user, to stay finite.
 */
export function novelty(list: ArrayLike<number>, itemUsers: ArrayLike<number>, numUsers: number): number {
  if (list.length === 0 || numUsers === 0) return 0;
  let s = 0;
  for (let r = 0; r < list.length; r++) s -= Math.log2(Math.max(1, itemUsers[list[r]]) / numUsers);
  return s / list.length;
}

/** Average recommendation popularity (Abdollahpouri et al. 2019): mean number of training users per recommended item. */
export function averagePopularity(list: ArrayLike<number>, itemUsers: ArrayLike<number>): number {
  if (list.length === 0) return 0;
  let s = 0;
  for (let r = 0; r < list.length; r++) s += itemUsers[list[r]];
  return s / list.length;
}

/**
 * Intra-list diversity: mean over pairs of 1 − cosine(i, j), where items are vectors of the users who interacted
 * with them (binary), cos = |U_i ∩ U_j| / √(|U_i|·|U_j|). `byItem` is items × users with sorted rows.
 * Items without users count as dissimilar to everything.
 */
export function intraListDiversity(list: ArrayLike<number>, byItem: CsrMatrix): number {
  const n = list.length;
  if (n < 2) return 0;
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < n; a++) {
    const ia = byItem.rowIndices(list[a]);
    for (let b = a + 1; b < n; b++) {
      const ib = byItem.rowIndices(list[b]);
      let cos = 0;
      if (ia.length > 0 && ib.length > 0) {
        let x = 0;
        let y = 0;
        let common = 0;
        while (x < ia.length && y < ib.length) {
          if (ia[x] === ib[y]) {
            common++;
            x++;
            y++;
          } else if (ia[x] < ib[y]) x++;
          else y++;
        }
        cos = common / Math.sqrt(ia.length * ib.length);
      }
      sum += 1 - cos;
      pairs++;
    }
  }
  return sum / pairs;
}

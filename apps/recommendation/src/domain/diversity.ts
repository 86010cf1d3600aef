import type { ItemInfo } from './item-info';

/** Similarity of two items for diversity: Jaccard of their categories, plus a little for a shared brand. */
export function itemSimilarity(a: ItemInfo | undefined, b: ItemInfo | undefined): number {
  if (!a || !b) return 0;
  let shared = 0;
  for (const c of a.categories) if (b.categories.includes(c)) shared++;
  const union = a.categories.length + b.categories.length - shared;
  const jaccard = union === 0 ? 0 : shared / union;
  const brand = a.brand && a.brand === b.brand ? 0.25 : 0;
  return Math.min(1, jaccard * 0.75 + brand);
}

/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): repeatedly picks the candidate maximising
 * (1 − λ)·relevance − λ·(its largest similarity to what is already picked). λ = 0 keeps the relevance order.
 * Relevance should be on a 0..1 scale. O(k·n).
 */
export function mmr<T>(
  candidates: readonly T[],
  k: number,
  lambda: number,
  relevance: (c: T) => number,
  similarity: (a: T, b: T) => number,
): T[] {
  if (lambda <= 0 || candidates.length <= 1) return candidates.slice(0, k);
  const left = [...candidates];
  const picked: T[] = [];
  const maxSim = new Float64Array(left.length);
  while (picked.length < k && left.length > 0) {
    let best = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < left.length; i++) {
      const value = (1 - lambda) * relevance(left[i]) - lambda * maxSim[i];
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    const chosen = left[best];
    picked.push(chosen);
    left.splice(best, 1);
    maxSim.copyWithin(best, best + 1);
    for (let i = 0; i < left.length; i++) maxSim[i] = Math.max(maxSim[i], similarity(left[i], chosen));
  }
  return picked;
}

/**
 * Indices of the `k` largest scores, best first, skipping `excluded[i] !== 0` and non-finite scores.
 * A size-k min-heap: O(n log k). Ties go to the lower index, so results are deterministic.
 */
export function topK(scores: ArrayLike<number>, k: number, excluded?: Uint8Array): Int32Array {
  const n = scores.length;
  const heapIdx = new Int32Array(Math.max(0, Math.min(k, n)));
  const cap = heapIdx.length;
  if (cap === 0) return heapIdx;
  let size = 0;
  // "a is worse than b": lower score, or equal score and higher index.
  const worse = (a: number, b: number): boolean => scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      let m = l;
      if (l + 1 < size && worse(heapIdx[l + 1], heapIdx[l])) m = l + 1;
      if (!worse(heapIdx[m], heapIdx[i])) return;
      const t = heapIdx[i];
      heapIdx[i] = heapIdx[m];
      heapIdx[m] = t;
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (excluded && excluded[i] !== 0) continue;
    const s = scores[i];
    if (!(s > -Infinity) || s !== s) continue;
    if (size < cap) {
      let c = size++;
      heapIdx[c] = i;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heapIdx[c], heapIdx[p])) break;
        const t = heapIdx[c];
        heapIdx[c] = heapIdx[p];
        heapIdx[p] = t;
        c = p;
      }
    } else if (worse(heapIdx[0], i)) {
      heapIdx[0] = i;
      siftDown(0);
    }
  }
  const out = Array.from(heapIdx.subarray(0, size));
  out.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  return Int32Array.from(out);
}

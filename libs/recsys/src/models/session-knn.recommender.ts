/**
 * Session-based recommendations from the last items seen: item-to-item neighbours learned from what users do
 * *in sequence* (co-occurrence within a sliding window over each user's time-ordered events, weight 1/distance,
 * in the spirit of session-kNN baselines, Ludewig & Jannach 2018), scored from the `recentItems` most recent
 * items with weights decaying by position: score_j = Σ_r decay^r · S[item_r, j], r = 0 for the newest item.
 * Works for anonymous sessions (`recommend({ items: [...] })`) and, for known users, from their latest events.
 * Plain JS: sparse counting, no dense algebra to hand to TF.js.
 */
import type { BlobValue, DecodedArtifact } from '../artifact/artifact.codec';
import { CsrMatrix } from '../core/csr.matrix';
import { NeighbourListBuilder } from '../math/neighbour-list.builder';
import { BaseRecommender, FitContext, UserHistory } from './base.recommender';
import type { ParamSchema } from './params.schema';
import type { Contribution } from './recommender.types';

export type SessionKnnParams = {
  window: number;
  neighbours: number;
  recentItems: number;
  decay: number;
};

export const SESSION_KNN_SCHEMA: ParamSchema = {
  window: {
    type: 'number',
    default: 10,
    min: 1,
    integer: true,
    search: { min: 2, max: 50, log: true },
    doc: 'events at most this many positions apart co-occur',
  },
  neighbours: { type: 'number', default: 200, min: 0, integer: true, doc: 'neighbours kept per item (0 = all)' },
  recentItems: {
    type: 'number',
    default: 20,
    min: 1,
    integer: true,
    search: { min: 1, max: 100, log: true },
    doc: 'how many of the latest items drive the score',
  },
  decay: {
    type: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    search: { min: 0.5, max: 1 },
    doc: 'weight of an item one step older than the next',
  },
};

export class SessionKnnRecommender extends BaseRecommender<SessionKnnParams> {
  readonly algorithm = 'session-knn';
  protected readonly modelVersion = 1;
  private neighbours?: CsrMatrix;

  constructor(params: Partial<SessionKnnParams> = {}) {
    super(SESSION_KNN_SCHEMA, 'session-knn', params);
  }

  protected async fitModel({ dataset, progress }: FitContext): Promise<{ engine: string }> {
    const { window } = this.params;
    const n = dataset.numItems;
    const sequences = dataset.rowsByUser();
    // Two passes: count the pairs, then fill typed arrays of exactly that size (plain arrays cost 4× the memory).
    let pairs = 0;
    for (const seq of sequences) for (let a = 0; a < seq.length; a++) pairs += 2 * Math.min(window, seq.length - a - 1);
    const rows = new Int32Array(pairs);
    const cols = new Int32Array(pairs);
    const vals = new Float32Array(pairs);
    const occurrences = new Float64Array(n);
    progress('cooccurrence', 0);
    let p = 0;
    for (const seq of sequences) {
      for (let a = 0; a < seq.length; a++) {
        const i = dataset.itemIndex[seq[a]];
        occurrences[i]++;
        for (let b = a + 1; b < Math.min(seq.length, a + 1 + window); b++) {
          const j = dataset.itemIndex[seq[b]];
          if (i === j) continue;
          const w = 1 / (b - a);
          rows[p] = i;
          cols[p] = j;
          vals[p++] = w;
          rows[p] = j;
          cols[p] = i;
          vals[p++] = w;
        }
      }
    }
    const counts = CsrMatrix.fromTriples(n, n, rows.subarray(0, p), cols.subarray(0, p), vals.subarray(0, p));
    progress('similarity', 0.5);
    const builder = new NeighbourListBuilder(n, this.params.neighbours);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const cols = counts.rowIndices(i);
      const vals = counts.rowValues(i);
      for (let p = 0; p < cols.length; p++) scores[p] = vals[p] / Math.sqrt(occurrences[i] * occurrences[cols[p]]);
      builder.addRow(cols, scores, cols.length);
    }
    this.neighbours = builder.build();
    return { engine: 'js' };
  }

  /** History positions of the most recent items, newest first. */
  private recent(history: UserHistory): number[] {
    const order = Array.from(history.items, (_, h) => h);
    if (history.times) order.sort((a, b) => history.times![b] - history.times![a] || b - a);
    return order.slice(0, this.params.recentItems);
  }

  scoreInto(history: UserHistory, out: Float32Array): void {
    const s = this.neighbours!;
    out.fill(0);
    let w = 1;
    for (const h of this.recent(history)) {
      const i = history.items[h];
      for (let p = s.indptr[i]; p < s.indptr[i + 1]; p++) out[s.indices[p]] += w * s.values[p];
      w *= this.params.decay;
    }
  }

  protected similarInto(item: number, out: Float32Array): boolean {
    return this.neighbours!.rowInto(item, out);
  }

  protected contributions(history: UserHistory, item: number): { list: Contribution[] } {
    const list: Contribution[] = [];
    let w = 1;
    this.recent(history).forEach((h, rank) => {
      const sim = this.neighbours!.get(history.items[h], item);
      if (sim !== 0) list.push(this.itemContribution(history.items[h], w * sim, `${rank + 1} item(s) ago`));
      w *= this.params.decay;
    });
    return { list };
  }

  protected modelBlobs(): Record<string, BlobValue> {
    const s = this.neighbours!;
    return { 'neighbours.indptr': s.indptr, 'neighbours.indices': s.indices, 'neighbours.values': s.values };
  }

  protected restoreModel(artifact: DecodedArtifact): void {
    const indptr = artifact.blob<Int32Array>('neighbours.indptr');
    const n = indptr.length - 1;
    this.neighbours = new CsrMatrix(
      n,
      n,
      indptr,
      artifact.blob<Int32Array>('neighbours.indices'),
      artifact.blob<Float32Array>('neighbours.values'),
    );
  }
}

/**
 * Bayesian Personalised Ranking (Rendle et al. 2009): stochastic gradient ascent on ln σ(x̂_ui − x̂_uj) over
 * (user, interacted item, random other item) triples, x̂_ui = b_i + p_u·q_i, L2-regularised.
 *
 * Implementation, by measurement (ML-100K, 75k triples per epoch, k = 64, this machine): this hand-written
 * Float32Array SGD loop takes 0.1 s per epoch. TF.js with mini-batches of 1024: `gather`'s gradient needs
 * UnsortedSegmentSum, which has no WASM kernel (the fit fails), and on the CPU backend one epoch had not finished
 * after 11 minutes; one-hot × matMul instead took 21.6 s per epoch on WASM and 134 s on the CPU backend (200× and
 * 1 300× slower), and mini-batching changes the algorithm anyway (stale updates). So BPR is plain JS.
 */
import type { BlobValue, DecodedArtifact } from '../artifact/artifact.codec';
import { Rng } from '../math/rng';
import { cosineToAll } from './als.recommender';
import { BaseRecommender, FitContext, UserHistory } from './base.recommender';
import type { ParamSchema } from './params.schema';
import type { Contribution } from './recommender.types';

export type BprParams = {
  factors: number;
  learningRate: number;
  regularization: number;
  epochs: number;
  seed: number;
};

export const BPR_SCHEMA: ParamSchema = {
  factors: {
    type: 'number',
    default: 64,
    min: 1,
    integer: true,
    search: { min: 16, max: 256, log: true },
    doc: 'latent dimensions',
  },
  learningRate: {
    type: 'number',
    default: 0.02,
    min: 0,
    search: { min: 0.005, max: 0.2, log: true },
    doc: 'SGD step size',
  },
  regularization: {
    type: 'number',
    default: 0.005,
    min: 0,
    search: { min: 0.0001, max: 0.1, log: true },
    doc: 'L2 penalty on factors and biases',
  },
  epochs: {
    type: 'number',
    default: 50,
    min: 1,
    integer: true,
    search: { min: 10, max: 150, log: true },
    doc: 'passes; each draws as many triples as there are interactions',
  },
  seed: { type: 'number', default: 42, integer: true, doc: 'initialisation and sampling seed' },
};

export class BprRecommender extends BaseRecommender<BprParams> {
  readonly algorithm = 'bpr';
  protected readonly modelVersion = 1;
  private userFactors: Float32Array = new Float32Array(0);
  private itemFactors: Float32Array = new Float32Array(0);
  private itemBias: Float32Array = new Float32Array(0);

  constructor(params: Partial<BprParams> = {}) {
    super(BPR_SCHEMA, 'bpr', params);
  }

  protected async fitModel({ matrix, seed, progress }: FitContext): Promise<{ engine: string }> {
    const { factors: k, learningRate: lr, regularization: reg, epochs } = this.params;
    const rng = new Rng(seed);
    const p = Float32Array.from({ length: matrix.rows * k }, () => (rng.normal() * 0.1) / Math.sqrt(k));
    const q = Float32Array.from({ length: matrix.cols * k }, () => (rng.normal() * 0.1) / Math.sqrt(k));
    const b = new Float32Array(matrix.cols);
    // Row of each interaction, to draw (user, item) pairs uniformly.
    const rowOf = new Int32Array(matrix.nnz);
    for (let u = 0; u < matrix.rows; u++) rowOf.fill(u, matrix.indptr[u], matrix.indptr[u + 1]);
    const n = matrix.cols;
    for (let epoch = 0; epoch < epochs; epoch++) {
      progress('bpr', epoch / epochs, `epoch ${epoch + 1}/${epochs}`);
      for (let s = 0; s < matrix.nnz; s++) {
        const e = rng.int(matrix.nnz);
        const u = rowOf[e];
        const i = matrix.indices[e];
        if (matrix.rowLength(u) >= n) continue;
        let j = rng.int(n);
        while (matrix.get(u, j) !== 0) j = rng.int(n);
        const po = u * k;
        const io = i * k;
        const jo = j * k;
        let x = b[i] - b[j];
        for (let f = 0; f < k; f++) x += p[po + f] * (q[io + f] - q[jo + f]);
        const g = 1 / (1 + Math.exp(x)); // d ln σ(x) / dx
        b[i] += lr * (g - reg * b[i]);
        b[j] += lr * (-g - reg * b[j]);
        for (let f = 0; f < k; f++) {
          const pf = p[po + f];
          const qi = q[io + f];
          const qj = q[jo + f];
          p[po + f] += lr * (g * (qi - qj) - reg * pf);
          q[io + f] += lr * (g * pf - reg * qi);
          q[jo + f] += lr * (-g * pf - reg * qj);
        }
      }
      await Promise.resolve();
    }
    this.userFactors = p;
    this.itemFactors = q;
    this.itemBias = b;
    return { engine: 'js' };
  }

  /** A known user's factors; otherwise (session, or new events) the mean of the history's item factors. */
  private userVector(history: UserHistory): { x: Float64Array; foldIn: boolean } {
    const k = this.params.factors;
    const x = new Float64Array(k);
    const known = history.user >= 0 && (history.user + 1) * k <= this.userFactors.length;
    if (known && this.history!.rowLength(history.user) === history.items.length) {
      for (let f = 0; f < k; f++) x[f] = this.userFactors[history.user * k + f];
      return { x, foldIn: false };
    }
    for (const j of history.items) for (let f = 0; f < k; f++) x[f] += this.itemFactors[j * k + f];
    if (history.items.length > 0) for (let f = 0; f < k; f++) x[f] /= history.items.length;
    return { x, foldIn: true };
  }

  scoreInto(history: UserHistory, out: Float32Array): void {
    const k = this.params.factors;
    const { x } = this.userVector(history);
    for (let j = 0, o = 0; j < out.length; j++, o += k) {
      let s = this.itemBias[j];
      for (let f = 0; f < k; f++) s += x[f] * this.itemFactors[o + f];
      out[j] = s;
    }
  }

  protected similarInto(item: number, out: Float32Array): boolean {
    cosineToAll(this.itemFactors, this.params.factors, item, out);
    return true;
  }

  /**
   * The item bias, plus each history item's share under the fold-in representation (user ≈ mean of its items'
   * factors): q_j·q_i / |history|. For a trained user the factors were learned, not averaged, hence approximate.
   */
  protected contributions(history: UserHistory, item: number): { list: Contribution[]; approximate: boolean } {
    const k = this.params.factors;
    const { foldIn } = this.userVector(history);
    const list: Contribution[] = [{ kind: 'popularity', id: 'item-bias', weight: this.itemBias[item] }];
    for (const j of history.items) {
      let d = 0;
      for (let f = 0; f < k; f++) d += this.itemFactors[j * k + f] * this.itemFactors[item * k + f];
      list.push(this.itemContribution(j, d / history.items.length));
    }
    return { list, approximate: !foldIn };
  }

  protected modelBlobs(): Record<string, BlobValue> {
    return { userFactors: this.userFactors, itemFactors: this.itemFactors, itemBias: this.itemBias };
  }

  protected restoreModel(artifact: DecodedArtifact): void {
    this.userFactors = artifact.blob<Float32Array>('userFactors');
    this.itemFactors = artifact.blob<Float32Array>('itemFactors');
    this.itemBias = artifact.blob<Float32Array>('itemBias');
  }
}

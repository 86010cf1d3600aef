/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an item-item weight matrix with zero
 * diagonal, in closed form: P = (XᵀX + λI)⁻¹, B = I − P·diag(1/diag(P)), i.e. B_ij = −P_ij / P_jj, B_jj = 0.
 * Scores are x_u·B: every history item votes for every other item, so explanations are exact.
 *
 * Implementation, by measurement on ML-100K (1682 items, this machine, one core):
 * - Gram matrix XᵀX from the sparse rows in JS: 0.1 s.
 * - Inverse: Float64 Cholesky inverse in plain JS (n³/2 multiply-adds, best loop order) 3.4–3.7 s; TensorFlow.js on
 *   WASM with a tiled block sweep (`spd-inverse.tf.ts`, 256² tiles) 0.33–0.41 s, max |ΔP| 1e-9 on |P| ≤ 3e-3
 *   (relative 3e-7), identical rankings. TF.js wins ~10×, because its matMul runs XNNPACK SIMD kernels
 *   (13–26 GFLOP/s here) that plain JS (≤ 2 GFLOP/s) cannot reach; with tfjs-node it would use every core.
 *   The JS Float64 path stays as `engine: 'js'` for environments without TF.js.
 * - Cost is O(n³) time and O(n²) memory (n = modelled items, peak ≈ 12·n² bytes); `maxItems` caps n to the
 *   most popular items. Online Retail's 3.3k items: see bench/results/training.json; by the n³ law 10k items take
 *   ~1.5 min on one WASM thread (far less with tfjs-node's threads) and ~1.2 GB.
 */
import type { BlobValue, DecodedArtifact } from '../artifact/artifact.codec';
import { RecsysError } from '../core/recsys.errors';
import { spdInverseInPlace } from '../math/dense';
import { spdInverseTf } from '../math/spd-inverse.tf';
import { loadTf } from '../math/tf.backend';
import { BaseRecommender, FitContext, UserHistory } from './base.recommender';
import type { ParamSchema } from './params.schema';
import type { Contribution } from './recommender.types';

export type EaseParams = {
  lambda: number;
  weighting: 'binary' | 'log';
  maxItems: number;
  engine: 'auto' | 'tfjs' | 'js';
};

export const EASE_SCHEMA: ParamSchema = {
  lambda: {
    type: 'number',
    default: 400,
    min: 0.001,
    search: { min: 20, max: 2000, log: true },
    doc: 'L2 regularisation added to the Gram diagonal',
  },
  weighting: {
    type: 'enum',
    default: 'binary',
    values: ['binary', 'log'],
    search: ['binary', 'log'],
    doc: 'x_ui = 1, or 1 + log(summed weight) for repeated or strong signals',
  },
  maxItems: {
    type: 'number',
    default: 10000,
    min: 1,
    integer: true,
    doc: 'model only the most popular items (O(n³) fit, O(n²) memory); others are never recommended',
  },
  engine: {
    type: 'enum',
    default: 'auto',
    values: ['auto', 'tfjs', 'js'],
    doc: 'auto = TensorFlow.js (measured ~10x faster on WASM), js = Float64 plain JS',
  },
};

export class EaseRecommender extends BaseRecommender<EaseParams> {
  readonly algorithm = 'ease';
  protected readonly modelVersion = 1;
  /** Global item index of each modelled item. */
  private modelled: Int32Array = new Int32Array(0);
  /** Local index per global item, -1 when not modelled. */
  private local: Int32Array = new Int32Array(0);
  /** m×m row-major weights over modelled items. */
  private weights: Float32Array = new Float32Array(0);

  constructor(params: Partial<EaseParams> = {}) {
    super(EASE_SCHEMA, 'ease', params);
  }

  protected async fitModel({ matrix, progress }: FitContext): Promise<{ engine: string; notes?: string[] }> {
    const counts = matrix.columnCounts();
    const order = Array.from({ length: matrix.cols }, (_, i) => i)
      .filter((i) => counts[i] > 0)
      .sort((a, b) => counts[b] - counts[a] || a - b)
      .slice(0, this.params.maxItems)
      .sort((a, b) => a - b);
    const m = order.length;
    this.modelled = Int32Array.from(order);
    this.local = new Int32Array(matrix.cols).fill(-1);
    order.forEach((g, l) => (this.local[g] = l));

    progress('gram', 0);
    // Float32 is exact for co-occurrence counts below 2^24 and halves the largest allocation.
    const gram = new Float32Array(m * m);
    const li = new Int32Array(matrix.cols);
    const lv = new Float64Array(matrix.cols);
    for (let u = 0; u < matrix.rows; u++) {
      let len = 0;
      for (let p = matrix.indptr[u]; p < matrix.indptr[u + 1]; p++) {
        const l = this.local[matrix.indices[p]];
        if (l < 0) continue;
        li[len] = l;
        lv[len] = this.value(matrix.values[p]);
        len++;
      }
      for (let a = 0; a < len; a++) {
        const row = li[a] * m;
        const va = lv[a];
        for (let b = 0; b < len; b++) gram[row + li[b]] += va * lv[b];
      }
    }
    for (let i = 0; i < m; i++) gram[i * m + i] += this.params.lambda;

    progress('inverse', 0.1);
    let p: Float32Array | Float64Array | undefined;
    let engine = 'js-f64';
    const notes: string[] = [];
    if (this.params.engine !== 'js' && m > 0) {
      try {
        const tf = await loadTf();
        p = spdInverseTf(tf, gram, m);
        engine = `tfjs-${tf.getBackend()}`;
      } catch (error) {
        if (this.params.engine === 'tfjs' || error instanceof RecsysError) throw error;
        notes.push(
          `TensorFlow.js unavailable (${error instanceof Error ? error.message : String(error)}); plain JS used`,
        );
      }
    }
    if (!p) {
      p = Float64Array.from(gram);
      if (!spdInverseInPlace(p, m)) throw new RecsysError('RECSYS.BAD_DATA', 'Gram matrix is not positive definite');
    }
    const inverse: Float32Array | Float64Array = p;
    progress('weights', 0.9);
    // B_ij = −P_ij / P_jj, B_jj = 0, written over P when it is already Float32 (saves an n² copy).
    const diagonal = Float64Array.from({ length: m }, (_, j) => inverse[j * m + j]);
    const w = inverse instanceof Float32Array ? inverse : new Float32Array(m * m);
    for (let i = 0; i < m; i++) {
      const row = i * m;
      for (let j = 0; j < m; j++) w[row + j] = i === j ? 0 : -inverse[row + j] / diagonal[j];
    }
    this.weights = w;
    if (m < matrix.cols) notes.push(`${m} of ${matrix.cols} items modelled (items never seen or beyond maxItems)`);
    return { engine, notes };
  }

  private value(v: number): number {
    return this.params.weighting === 'binary' ? 1 : 1 + Math.log(Math.max(1, v));
  }

  scoreInto(history: UserHistory, out: Float32Array): void {
    const m = this.modelled.length;
    const acc = new Float32Array(m);
    for (let h = 0; h < history.items.length; h++) {
      const l = this.local[history.items[h]];
      if (l < 0) continue;
      const x = this.value(history.weights[h]);
      const row = l * m;
      for (let j = 0; j < m; j++) acc[j] += x * this.weights[row + j];
    }
    out.fill(-Infinity);
    for (let l = 0; l < m; l++) out[this.modelled[l]] = acc[l];
  }

  protected similarInto(item: number, out: Float32Array): boolean {
    const l = this.local[item];
    if (l < 0) return false;
    const m = this.modelled.length;
    out.fill(0);
    for (let j = 0; j < m; j++) out[this.modelled[j]] = this.weights[l * m + j];
    return true;
  }

  protected contributions(history: UserHistory, item: number): { list: Contribution[] } {
    const target = this.local[item];
    const m = this.modelled.length;
    const list: Contribution[] = [];
    if (target < 0) return { list };
    for (let h = 0; h < history.items.length; h++) {
      const l = this.local[history.items[h]];
      if (l < 0) continue;
      const c = this.value(history.weights[h]) * this.weights[l * m + target];
      if (c !== 0) list.push(this.itemContribution(history.items[h], c));
    }
    return { list };
  }

  protected modelBlobs(): Record<string, BlobValue> {
    return { modelled: this.modelled, weights: this.weights };
  }

  protected restoreModel(artifact: DecodedArtifact): void {
    this.modelled = artifact.blob<Int32Array>('modelled');
    this.weights = artifact.blob<Float32Array>('weights');
    this.local = new Int32Array(this.items.size).fill(-1);
    this.modelled.forEach((g, l) => (this.local[g] = l));
  }
}

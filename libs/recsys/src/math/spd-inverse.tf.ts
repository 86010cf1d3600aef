import type * as Tf from '@tensorflow/tfjs';
import { RecsysError } from '../core/recsys.errors';
import { spdInverseInPlace } from './dense';
import type { TfModule } from './tf.backend';

/**
 * Inverse of a symmetric positive-definite n×n matrix with TensorFlow.js, by the block sweep operator
 * (Goodnight 1979). Sweeping block K of M, with P = M_KK⁻¹ and Q_i = M_iK·P:
 *   M_KK ← −P,   M_iK ← Q_i,   M_ij ← M_ij − Q_i·M_Kj   (i, j ≠ K);
 * sweeping every block leaves −A⁻¹. SPD input needs no pivoting.
 *
 * The matrix lives as b×b tiles, upper triangle only (symmetry halves the work to n³ flops), so overwriting a
 * block row costs nothing and every flop is a tile matMul (XNNPACK SIMD on WASM; Eigen threads with tfjs-node).
 * The b×b pivot inverses run in Float64 in JS. Measured on ML-100K's 1682² Gram matrix: whole-matrix
 * slice/concat updates took 5 s, and `matMul(a, b, false, true)` is 14× slower than an explicit transpose on WASM,
 * hence tiles and explicit transposes. Float32 is fine for a ridge-regularised Gram matrix (small condition
 * number); this is not a general-purpose inverse.
 */
export function spdInverseTf(tf: TfModule, a: Float32Array, n: number, blockSize = 256): Float32Array {
  const t = Math.ceil(n / blockSize);
  const start = (k: number): number => k * blockSize;
  const size = (k: number): number => Math.min(blockSize, n - k * blockSize);
  // tiles[i][j] for i <= j holds block (i, j).
  const tiles: Tf.Tensor2D[][] = [];
  for (let i = 0; i < t; i++) {
    tiles.push([]);
    for (let j = 0; j < t; j++) {
      if (j < i) continue;
      const bi = size(i);
      const bj = size(j);
      const buf = new Float32Array(bi * bj);
      for (let r = 0; r < bi; r++) {
        const off = (start(i) + r) * n + start(j);
        buf.set(a.subarray(off, off + bj), r * bj);
      }
      tiles[i][j] = tf.tensor2d(buf, [bi, bj]);
    }
  }
  const get = (i: number, j: number): Tf.Tensor2D => (i <= j ? tiles[i][j] : tiles[j][i].transpose());
  const set = (i: number, j: number, v: Tf.Tensor2D): void => {
    if (i <= j) {
      tiles[i][j].dispose();
      tiles[i][j] = v;
    } else {
      tiles[j][i].dispose();
      tiles[j][i] = tf.tidy(() => v.transpose()) as Tf.Tensor2D;
      v.dispose();
    }
  };
  try {
    for (let k = 0; k < t; k++) {
      const bk = size(k);
      const kk = Float64Array.from(tiles[k][k].dataSync());
      if (!spdInverseInPlace(kk, bk)) {
        throw new RecsysError('RECSYS.BAD_DATA', 'matrix is not positive definite; increase the regularisation');
      }
      const p = tf.tensor2d(Float32Array.from(kk), [bk, bk]);
      const q: (Tf.Tensor2D | undefined)[] = [];
      for (let i = 0; i < t; i++) q.push(i === k ? undefined : tf.tidy(() => tf.matMul(get(i, k), p)));
      // Row K of the old matrix, needed by every update: M_Kj for j != K.
      const rowK: (Tf.Tensor2D | undefined)[] = [];
      for (let j = 0; j < t; j++) rowK.push(j === k ? undefined : j > k ? tiles[k][j] : tf.tidy(() => get(k, j)));
      for (let i = 0; i < t; i++) {
        if (i === k) continue;
        for (let j = i; j < t; j++) {
          if (j === k) continue;
          const updated = tf.tidy(() => tiles[i][j].sub(tf.matMul(q[i]!, rowK[j]!))) as Tf.Tensor2D;
          tiles[i][j].dispose();
          tiles[i][j] = updated;
        }
      }
      for (let j = 0; j < k; j++) rowK[j]?.dispose(); // transposed copies; the others are tiles, replaced below
      for (let i = 0; i < t; i++) if (i !== k) set(i, k, q[i]!);
      set(
        k,
        k,
        tf.tidy(() => p.neg()),
      );
      p.dispose();
    }
    const out = new Float32Array(n * n);
    for (let i = 0; i < t; i++) {
      for (let j = i; j < t; j++) {
        const data = tiles[i][j].dataSync();
        const bi = size(i);
        const bj = size(j);
        for (let r = 0; r < bi; r++) {
          const row = (start(i) + r) * n + start(j);
          for (let c = 0; c < bj; c++) {
            const v = -data[r * bj + c];
            out[row + c] = v;
            out[(start(j) + c) * n + start(i) + r] = v;
          }
        }
      }
    }
    return out;
  } finally {
    for (const row of tiles) for (const tile of row) tile?.dispose();
  }
}

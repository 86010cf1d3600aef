import { choleskyInPlace, choleskySolveInPlace, spdInverseInPlace } from './dense';
import { Rng } from './rng';
import { spdInverseTf } from './spd-inverse.tf';
import { loadTf } from './tf.backend';

/** A random SPD matrix: GᵀG + n·I. */
function randomSpd(n: number, seed: number): Float64Array {
  const r = new Rng(seed);
  const g = Float64Array.from({ length: n * n }, () => r.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += g[k * n + i] * g[k * n + j];
      a[i * n + j] = s + (i === j ? n : 0);
    }
  }
  return a;
}

function maxOffIdentity(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe(spdInverseInPlace.name, () => {
  it('inverts a symmetric positive-definite matrix', () => {
    const a = randomSpd(37, 1);
    const inv = a.slice();
    expect(spdInverseInPlace(inv, 37)).toBe(true);
    expect(maxOffIdentity(a, inv, 37)).toBeLessThan(1e-10);
  });

  it('reports a matrix that is not positive definite', () => {
    expect(spdInverseInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
  });

  it('solves through the Cholesky factor', () => {
    const a = randomSpd(9, 2);
    const l = a.slice();
    expect(choleskyInPlace(l, 9)).toBe(true);
    const x = Float64Array.from({ length: 9 }, (_, i) => i - 4);
    const b = new Float64Array(9);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) b[i] += a[i * 9 + j] * x[j];
    choleskySolveInPlace(l, 9, b);
    b.forEach((v, i) => expect(v).toBeCloseTo(x[i], 9));
  });
});

describe(spdInverseTf.name, () => {
  it('matches the Float64 inverse, with blocks that do not divide n', async () => {
    const tf = await loadTf();
    const n = 70;
    const a = randomSpd(n, 3);
    const expected = a.slice();
    spdInverseInPlace(expected, n);
    const got = spdInverseTf(tf, Float32Array.from(a), n, 16);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < n * n; i++) {
      worst = Math.max(worst, Math.abs(got[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    expect(worst / scale).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(0); // every tile disposed
  });
});

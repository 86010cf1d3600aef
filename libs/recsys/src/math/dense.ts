/** Small dense linear algebra on row-major Float64Arrays (no BLAS in plain JS; loops are ordered for locality). */

/**
 * In-place Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite n×n matrix; L ends up in the lower
 * triangle (the upper triangle is left untouched). Left-looking, dot-product form so inner loops run over
 * contiguous rows. Returns false when A is not positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L·Lᵀ·x = b in place in `b`, with L from {@link choleskyInPlace}. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[k];
    b[i] = s / l[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/**
 * Inverse of a symmetric positive-definite matrix, in place, in Float64: A⁻¹ = L⁻ᵀ·L⁻¹.
 * n³/2 multiply-adds in three passes (Cholesky, triangular inverse, product), each a dot product of contiguous rows.
 * Returns false when A is not positive definite.
 */
export function spdInverseInPlace(a: Float64Array, n: number): boolean {
  if (!choleskyInPlace(a, n)) return false;
  // U = L⁻ᵀ (upper triangular), stored row-major in `u`: row i of U is column i of L⁻¹.
  // Solve column by column: L · (L⁻¹)[:, j] = e_j, i.e. U[j][i] for i ≥ j.
  const u = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0, j);
    col[j] = 1 / a[j * n + j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= a[ri + k] * col[k];
      col[i] = s / a[ri + i];
    }
    const rj = j * n;
    for (let i = j; i < n; i++) u[rj + i] = col[i];
  }
  // A⁻¹[i][j] = Σ_{k ≥ max(i,j)} L⁻¹[k][i]·L⁻¹[k][j] = Σ_k U[i][k]·U[j][k]; rows of U are contiguous.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let k = j;
      for (; k + 1 < n; k += 2) {
        s0 += u[ri + k] * u[rj + k];
        s1 += u[ri + k + 1] * u[rj + k + 1];
      }
      if (k < n) s0 += u[ri + k] * u[rj + k];
      const s = s0 + s1;
      a[ri + j] = s;
      a[j * n + i] = s;
    }
  }
  return true;
}

export function dot(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, len: number): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += a[aOff + k] * b[bOff + k];
  return s;
}

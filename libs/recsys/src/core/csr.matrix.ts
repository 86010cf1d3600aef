import { RecsysError } from './recsys.errors';

/**
 * Compressed sparse rows with Float32 values and, optionally, a Float64 time per cell (the latest event's time).
 * Row `r` holds columns `indices[indptr[r]..indptr[r+1])`, sorted ascending, without duplicates.
 * The transpose of a CSR matrix is its CSC form, so one class serves both orientations.
 */
export class CsrMatrix {
  private transposed?: CsrMatrix;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
    readonly values: Float32Array,
    readonly times?: Float64Array,
  ) {
    if (indptr.length !== rows + 1) throw new RecsysError('RECSYS.BAD_DATA', 'indptr must have rows + 1 entries');
    if (indices.length !== values.length || indptr[rows] !== indices.length) {
      throw new RecsysError('RECSYS.BAD_DATA', 'indices, values and indptr disagree on the number of non-zeros');
    }
  }

  get nnz(): number {
    return this.indices.length;
  }

  rowLength(row: number): number {
    return this.indptr[row + 1] - this.indptr[row];
  }

  /** Column indices of one row (a view, not a copy). */
  rowIndices(row: number): Int32Array {
    return this.indices.subarray(this.indptr[row], this.indptr[row + 1]);
  }

  rowValues(row: number): Float32Array {
    return this.values.subarray(this.indptr[row], this.indptr[row + 1]);
  }

  rowTimes(row: number): Float64Array | undefined {
    return this.times?.subarray(this.indptr[row], this.indptr[row + 1]);
  }

  /** Writes one row densely into `out` (zeros elsewhere); true when the row has any entry. */
  rowInto(row: number, out: Float32Array): boolean {
    out.fill(0);
    for (let p = this.indptr[row]; p < this.indptr[row + 1]; p++) out[this.indices[p]] = this.values[p];
    return this.rowLength(row) > 0;
  }

  /** Value at (row, col), 0 when absent; binary search within the row. */
  get(row: number, col: number): number {
    let lo = this.indptr[row];
    let hi = this.indptr[row + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.indices[mid];
      if (c === col) return this.values[mid];
      if (c < col) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Sum of values per column. */
  columnSums(): Float64Array {
    const out = new Float64Array(this.cols);
    for (let p = 0; p < this.nnz; p++) out[this.indices[p]] += this.values[p];
    return out;
  }

  /** Non-zeros per column. */
  columnCounts(): Int32Array {
    const out = new Int32Array(this.cols);
    for (let p = 0; p < this.nnz; p++) out[this.indices[p]]++;
    return out;
  }

  /** Same sparsity, values replaced by `fn(value)`. */
  mapValues(fn: (value: number) => number): CsrMatrix {
    const values = new Float32Array(this.nnz);
    for (let p = 0; p < values.length; p++) values[p] = fn(this.values[p]);
    return new CsrMatrix(this.rows, this.cols, this.indptr, this.indices, values, this.times);
  }

  /** The transpose (equivalently, this matrix in CSC form); computed once, in O(nnz). */
  transpose(): CsrMatrix {
    if (this.transposed) return this.transposed;
    const indptr = new Int32Array(this.cols + 1);
    for (let p = 0; p < this.nnz; p++) indptr[this.indices[p] + 1]++;
    for (let c = 0; c < this.cols; c++) indptr[c + 1] += indptr[c];
    const next = indptr.slice(0, this.cols);
    const indices = new Int32Array(this.nnz);
    const values = new Float32Array(this.nnz);
    const times = this.times ? new Float64Array(this.nnz) : undefined;
    // Rows are visited in order, so each transposed row comes out sorted.
    for (let r = 0; r < this.rows; r++) {
      for (let p = this.indptr[r]; p < this.indptr[r + 1]; p++) {
        const q = next[this.indices[p]]++;
        indices[q] = r;
        values[q] = this.values[p];
        if (times) times[q] = this.times![p];
      }
    }
    const t = new CsrMatrix(this.cols, this.rows, indptr, indices, values, times);
    t.transposed = this;
    this.transposed = t;
    return t;
  }

  /**
   * Builds from coordinate triples; duplicates are summed and their latest time kept.
   * Counting sort by row, then a sort of each row by column: O(nnz log(row length)).
   */
  static fromTriples(
    rows: number,
    cols: number,
    rowIdx: ArrayLike<number>,
    colIdx: ArrayLike<number>,
    vals: ArrayLike<number>,
    tms?: ArrayLike<number>,
  ): CsrMatrix {
    const n = rowIdx.length;
    const counts = new Int32Array(rows + 1);
    for (let p = 0; p < n; p++) {
      const r = rowIdx[p];
      const c = colIdx[p];
      if (r < 0 || r >= rows || c < 0 || c >= cols) {
        throw new RecsysError('RECSYS.BAD_DATA', `entry (${r}, ${c}) is outside a ${rows}x${cols} matrix`);
      }
      counts[r + 1]++;
    }
    for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
    const order = new Int32Array(n);
    const next = counts.slice(0, rows);
    for (let p = 0; p < n; p++) order[next[rowIdx[p]]++] = p;

    const indptr = new Int32Array(rows + 1);
    const indices = new Int32Array(n);
    const values = new Float32Array(n);
    const times = tms ? new Float64Array(n) : undefined;
    let out = 0;
    let scratch: number[] = [];
    for (let r = 0; r < rows; r++) {
      const start = counts[r];
      const end = counts[r + 1];
      scratch = Array.from(order.subarray(start, end));
      scratch.sort((a, b) => colIdx[a] - colIdx[b] || a - b);
      let last = -1;
      for (const p of scratch) {
        const c = colIdx[p];
        if (c !== last) {
          indices[out] = c;
          values[out] = vals[p];
          if (times) times[out] = tms![p];
          out++;
          last = c;
        } else {
          values[out - 1] += vals[p];
          if (times && tms![p] > times[out - 1]) times[out - 1] = tms![p];
        }
      }
      indptr[r + 1] = out;
    }
    return new CsrMatrix(
      rows,
      cols,
      indptr,
      indices.slice(0, out),
      values.slice(0, out),
      times ? times.slice(0, out) : undefined,
    );
  }
}

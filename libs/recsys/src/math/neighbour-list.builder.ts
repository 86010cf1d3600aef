import { CsrMatrix } from '../core/csr.matrix';

/**
 * Builds a sparse item × item neighbour matrix row by row, keeping each row's `keep` best positive scores
 * (0 = all), stored sorted by column so the matrix supports `get`. Growable typed arrays: with all neighbours
 * kept (SAR) a row list of plain numbers cost 4× the memory.
 */
export class NeighbourListBuilder {
  private readonly indptr: Int32Array;
  private indices = new Int32Array(1024);
  private values = new Float32Array(1024);
  private nnz = 0;
  private row = 0;

  constructor(
    private readonly size: number,
    private readonly keep: number,
  ) {
    this.indptr = new Int32Array(size + 1);
  }

  /** Adds the next row from candidate columns and their scores (the arrays are read, not kept). */
  addRow(columns: ArrayLike<number>, scores: ArrayLike<number>, count: number): void {
    let order: number[] = [];
    for (let k = 0; k < count; k++) if (scores[k] > 0) order.push(k);
    if (this.keep > 0 && order.length > this.keep) {
      order.sort((a, b) => scores[b] - scores[a] || columns[a] - columns[b]);
      order = order.slice(0, this.keep);
    }
    order.sort((a, b) => columns[a] - columns[b]);
    if (this.nnz + order.length > this.indices.length) {
      const capacity = Math.max(this.indices.length * 2, this.nnz + order.length);
      const indices = new Int32Array(capacity);
      indices.set(this.indices.subarray(0, this.nnz));
      const values = new Float32Array(capacity);
      values.set(this.values.subarray(0, this.nnz));
      this.indices = indices;
      this.values = values;
    }
    for (const k of order) {
      this.indices[this.nnz] = columns[k];
      this.values[this.nnz] = scores[k];
      this.nnz++;
    }
    this.row++;
    this.indptr[this.row] = this.nnz;
  }

  build(): CsrMatrix {
    while (this.row < this.size) this.indptr[++this.row] = this.nnz;
    return new CsrMatrix(
      this.size,
      this.size,
      this.indptr,
      this.indices.slice(0, this.nnz),
      this.values.slice(0, this.nnz),
    );
  }
}

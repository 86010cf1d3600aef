import { CsrMatrix } from './csr.matrix';

describe(CsrMatrix.name, () => {
  // 2×3 from triples with a duplicate (0, 2) that must be summed and keep the latest time.
  const m = CsrMatrix.fromTriples(2, 3, [0, 1, 0, 0], [2, 0, 0, 2], [1, 5, 2, 3], [10, 20, 30, 40]);

  it('sorts rows, sums duplicates and keeps the latest time', () => {
    expect(Array.from(m.indptr)).toEqual([0, 2, 3]);
    expect(Array.from(m.indices)).toEqual([0, 2, 0]);
    expect(Array.from(m.values)).toEqual([2, 4, 5]);
    expect(Array.from(m.times!)).toEqual([30, 40, 20]);
    expect(m.get(0, 2)).toBe(4);
    expect(m.get(1, 1)).toBe(0);
  });

  it('transposes to the column-major view, computed once', () => {
    const t = m.transpose();
    expect(t.rows).toBe(3);
    expect(Array.from(t.indptr)).toEqual([0, 2, 2, 3]);
    expect(Array.from(t.indices)).toEqual([0, 1, 0]);
    expect(Array.from(t.values)).toEqual([2, 5, 4]);
    expect(m.transpose()).toBe(t);
    expect(t.transpose()).toBe(m);
  });

  it('counts and sums per column', () => {
    expect(Array.from(m.columnCounts())).toEqual([2, 0, 1]);
    expect(Array.from(m.columnSums())).toEqual([7, 0, 4]);
  });

  it('rejects entries outside the shape', () => {
    expect(() => CsrMatrix.fromTriples(1, 1, [0], [1], [1])).toThrow(/outside/);
  });
});

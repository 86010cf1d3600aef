import { topK } from './top-k';

describe(topK.name, () => {
  it('returns the k best indices, best first, ties to the lower index', () => {
    expect(Array.from(topK([0.1, 0.9, 0.5, 0.9, 0.3], 3))).toEqual([1, 3, 2]);
  });

  it('skips excluded, -Infinity and NaN scores', () => {
    const excluded = Uint8Array.from([0, 1, 0, 0, 0]);
    expect(Array.from(topK([0.1, 0.9, -Infinity, NaN, 0.3], 5, excluded))).toEqual([4, 0]);
  });

  it('agrees with a full sort on random data', () => {
    const scores = Float32Array.from({ length: 1000 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
    const expected = Array.from(scores.keys())
      .sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, 25);
    expect(Array.from(topK(scores, 25))).toEqual(expected);
  });
});

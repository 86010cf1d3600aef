import { CsrMatrix } from '../core/csr.matrix';
import { averagePopularity, catalogueCoverage, intraListDiversity, novelty, rankingMetrics } from './ranking.metrics';

describe(rankingMetrics.name, () => {
  // Ranked [3, 1, 7, 5, 9] against relevant {1, 5, 8}: hits at ranks 2 and 4.
  const ranked = [3, 1, 7, 5, 9];
  const relevant = new Set([1, 5, 8]);

  it('matches hand-computed values at k = 5', () => {
    const m = rankingMetrics(ranked, relevant, 5);
    expect(m.precision).toBeCloseTo(2 / 5, 10);
    expect(m.recall).toBeCloseTo(2 / 3, 10);
    // DCG = 1/log2(3) + 1/log2(5) = 1.061606; IDCG over min(5, 3) = 3 hits = 1 + 1/log2(3) + 1/2 = 2.130930.
    expect(m.ndcg).toBeCloseTo(1.0616063 / 2.1309298, 6);
    expect(m.map).toBeCloseTo((1 / 2 + 2 / 4) / 3, 10);
    expect(m.mrr).toBeCloseTo(1 / 2, 10);
    expect(m.hitRate).toBe(1);
  });

  it('cuts the list at k and normalises by min(k, |relevant|)', () => {
    const m = rankingMetrics(ranked, relevant, 2);
    expect(m.precision).toBeCloseTo(1 / 2, 10);
    expect(m.recall).toBeCloseTo(1 / 3, 10);
    expect(m.ndcg).toBeCloseTo(0.6309298 / 1.6309298, 6);
    expect(m.map).toBeCloseTo(1 / 2 / 2, 10);
  });

  it('gives 1 for a perfect ranking and 0 without hits', () => {
    const perfect = rankingMetrics([8, 5, 1, 0], relevant, 3);
    expect(perfect.ndcg).toBeCloseTo(1, 10);
    expect(perfect.map).toBeCloseTo(1, 10);
    expect(perfect.precision).toBeCloseTo(1, 10);
    const none = rankingMetrics([0, 2, 4], relevant, 3);
    expect(none).toEqual({ precision: 0, recall: 0, ndcg: 0, map: 0, mrr: 0, hitRate: 0 });
  });

  it('divides precision by k even when the list is shorter', () => {
    expect(rankingMetrics([1], relevant, 10).precision).toBeCloseTo(0.1, 10);
  });
});

describe('beyond-accuracy metrics', () => {
  it('catalogue coverage counts distinct recommended items', () => {
    expect(
      catalogueCoverage(
        [
          [0, 1],
          [1, 2],
        ],
        10,
      ),
    ).toBeCloseTo(0.3, 10);
  });

  it('novelty is the mean self-information of recommended items', () => {
    // Shares 10/20 and 5/20: (1 + 2) / 2 bits.
    expect(novelty([0, 1], [10, 5], 20)).toBeCloseTo(1.5, 10);
    expect(averagePopularity([0, 1], [10, 5])).toBeCloseTo(7.5, 10);
  });

  it('intra-list diversity is the mean pairwise cosine distance over user sets', () => {
    // item 0: users {0,1,2,3}; item 1: {0,1}; item 2: {5}. cos(0,1) = 2/√8; other pairs 0.
    const byItem = CsrMatrix.fromTriples(3, 6, [0, 0, 0, 0, 1, 1, 2], [0, 1, 2, 3, 0, 1, 5], [1, 1, 1, 1, 1, 1, 1]);
    expect(intraListDiversity([0, 1, 2], byItem)).toBeCloseTo((1 - 2 / Math.sqrt(8) + 1 + 1) / 3, 10);
    expect(intraListDiversity([0], byItem)).toBe(0);
  });
});

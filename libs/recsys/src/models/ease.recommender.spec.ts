import { InteractionDataset } from '../core/interaction.dataset';
import { spdInverseInPlace } from '../math/dense';
import { plantedGroups } from '../testing/planted.data';
import { EaseRecommender } from './ease.recommender';

describe(EaseRecommender.name, () => {
  const { dataset } = plantedGroups({ users: 80, items: 30, seed: 2, coldItemsPerGroup: 0 });

  it('computes B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹', async () => {
    const lambda = 5;
    const model = new EaseRecommender({ lambda, engine: 'js' });
    await model.fit(dataset);
    const x = dataset.toMatrix();
    const n = x.cols;
    const p = new Float64Array(n * n);
    for (let u = 0; u < x.rows; u++) for (const a of x.rowIndices(u)) for (const b of x.rowIndices(u)) p[a * n + b]++;
    for (let i = 0; i < n; i++) p[i * n + i] += lambda;
    spdInverseInPlace(p, n);
    // similarItems exposes row i of B: B_ij = −P_ij / P_jj, and B_ii = 0 (the item never predicts itself).
    const scores = new Float32Array(n);
    (model as unknown as { similarInto(i: number, out: Float32Array): boolean }).similarInto(3, scores);
    for (let j = 0; j < n; j++) expect(scores[j]).toBeCloseTo(j === 3 ? 0 : -p[3 * n + j] / p[j * n + j], 5);
  });

  it('ranks the same with the TF.js and the plain-JS inverse', async () => {
    const tfModel = new EaseRecommender({ lambda: 10, engine: 'tfjs' });
    const jsModel = new EaseRecommender({ lambda: 10, engine: 'js' });
    const tfReport = await tfModel.fit(dataset);
    const jsReport = await jsModel.fit(dataset);
    expect(tfReport.engine).toMatch(/^tfjs-/);
    expect(jsReport.engine).toBe('js-f64');
    for (const userId of ['u0', 'u5', 'u9']) {
      const a = tfModel.recommend({ userId }, 5);
      const b = jsModel.recommend({ userId }, 5);
      expect(a.map((r) => r.itemId)).toEqual(b.map((r) => r.itemId));
      a.forEach((r, k) => expect(r.score).toBeCloseTo(b[k].score, 4));
    }
  });

  it('explains a score exactly as the sum of history items’ weights', async () => {
    const model = new EaseRecommender({ lambda: 10 });
    await model.fit(dataset);
    const top = model.recommend({ userId: 'u4' }, 1)[0];
    const e = model.explain({ userId: 'u4' }, top.itemId, 1000);
    expect(e.contributions.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(top.score, 4);
  });

  it('models only the most popular items when capped', async () => {
    const model = new EaseRecommender({ maxItems: 10 });
    const report = await model.fit(dataset);
    expect(report.notes?.[0]).toMatch(/10 of 30 items modelled/);
    const counts = dataset.toMatrix().columnCounts();
    const threshold = [...counts].sort((a, b) => b - a)[9];
    for (const r of model.recommend({ userId: 'u1' }, 10)) {
      expect(counts[dataset.items.indexOf(r.itemId)]).toBeGreaterThanOrEqual(threshold);
    }
  });

  it('leaves unknown items and users to the caller', async () => {
    const model = new EaseRecommender();
    await model.fit(
      InteractionDataset.fromInteractions([
        { userId: 'u', itemId: 'a', timestamp: 1 },
        { userId: 'u', itemId: 'b', timestamp: 2 },
      ]),
    );
    expect(model.similarItems('zzz', 3)).toEqual([]);
    expect(model.recommend({ userId: 'nobody' }, 3).every((r) => Number.isFinite(r.score))).toBe(true);
  });
});

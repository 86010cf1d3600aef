import { splitDataset } from '../evaluation/dataset.splits';
import { evaluateRecommender } from '../evaluation/recommender.evaluator';
import { plantedGroups } from '../testing/planted.data';
import { defaultRegistry } from './algorithm.registry';
import type { AnyRecommender } from './algorithm.registry';

/**
 * One behavioural contract for every registered algorithm (Gorse-style shared conformance suite): a new
 * algorithm is covered as soon as it is registered. Small parameters keep the whole suite fast.
 */
const FAST_PARAMS: Record<string, Record<string, unknown>> = {
  als: { factors: 8, iterations: 8, lambda: 1 },
  bpr: { factors: 8, epochs: 40, learningRate: 0.05 },
  hybrid: {
    sources: [{ algorithm: 'ease' }, { algorithm: 'item-knn' }, { algorithm: 'popularity' }],
    validationUsers: 200,
  },
};
const NON_PERSONALISED = new Set(['popularity', 'trending']);

const planted = plantedGroups({ users: 160, items: 64, groups: 4, perUser: 10, seed: 5 });
const split = splitDataset(planted.dataset, { method: 'stratified-user', ratio: 0.7, seed: 3 });
const users = ['u0', 'u1', 'u2', 'u3', 'u17', 'u42'];

describe('Recommender conformance', () => {
  let popularityNdcg = 0;

  beforeAll(async () => {
    const popularity = defaultRegistry.create('popularity');
    await popularity.fit(split.train);
    popularityNdcg = evaluateRecommender(popularity, split.train, split.test, { k: 5 }).ndcg;
  });

  describe.each(defaultRegistry.names())('%s', (name) => {
    let model: AnyRecommender;
    const personalised = !NON_PERSONALISED.has(name);

    beforeAll(async () => {
      model = defaultRegistry.create(name, FAST_PARAMS[name] ?? {});
      const report = await model.fit(split.train);
      expect(report.algorithm).toBe(name);
    });

    it('recommends k unseen items, best first', () => {
      for (const userId of users) {
        const seen = new Set(Array.from(model.historyOf({ userId }).items, (i) => model.itemIds.idOf(i)));
        expect(seen.size).toBeGreaterThan(0);
        const recs = model.recommend({ userId }, 5);
        expect(recs).toHaveLength(5);
        for (const r of recs) expect(seen.has(r.itemId)).toBe(false);
        for (let p = 1; p < recs.length; p++) expect(recs[p - 1].score).toBeGreaterThanOrEqual(recs[p].score);
      }
    });

    it('says how much of a query’s history it knows', () => {
      expect(model.historySize({ userId: 'u3' })).toBe(
        split.train.toMatrix().rowLength(split.train.users.indexOf('u3')),
      );
      expect(model.historySize({ userId: 'stranger', items: ['i1', 'not-an-item'] })).toBe(1);
      expect(model.historySize({})).toBe(0);
    });

    it('honours business exclusions and candidate lists', () => {
      const first = model.recommend({ userId: 'u1' }, 3).map((r) => r.itemId);
      const without = model.recommend({ userId: 'u1' }, { k: 3, exclude: first });
      expect(without.map((r) => r.itemId).filter((id) => first.includes(id))).toEqual([]);
      const candidates = ['i5', 'i9', 'i13', 'i60', 'unknown-item'];
      const restricted = model.recommend({ userId: 'u1' }, { k: 10, candidates, excludeSeen: false });
      expect(restricted.length).toBeGreaterThan(0);
      for (const r of restricted) expect(candidates).toContain(r.itemId);
    });

    it('round-trips through its artifact with identical recommendations', () => {
      const bytes = model.serialize();
      const restored = defaultRegistry.deserialize(bytes);
      expect(restored.algorithm).toBe(name);
      expect(restored.params).toEqual(model.params);
      for (const userId of users) expect(restored.recommend({ userId }, 5)).toEqual(model.recommend({ userId }, 5));
      const session = { items: ['i2', 'i6', 'i10'] };
      expect(restored.recommend(session, 5)).toEqual(model.recommend(session, 5));
      expect(restored.similarItems('i4', 3)).toEqual(model.similarItems('i4', 3));
    });

    it('explains a recommendation with reasons that exist', () => {
      const userId = 'u2';
      const history = new Set(Array.from(model.historyOf({ userId }).items, (i) => model.itemIds.idOf(i)));
      const top = model.recommend({ userId }, 1)[0];
      const explanation = model.explain({ userId }, top.itemId);
      expect(explanation.itemId).toBe(top.itemId);
      expect(explanation.score).toBeCloseTo(top.score, 4);
      expect(explanation.contributions.length).toBeGreaterThan(0);
      const items = explanation.contributions.filter((c) => c.kind === 'item');
      for (const c of items) expect(history.has(c.id)).toBe(true);
      if (personalised) expect(items.length).toBeGreaterThan(0);
    });

    it('explains a whole list in one pass exactly as item by item', () => {
      const query = { userId: 'u3', items: ['i1'] };
      const ids = [...model.recommend(query, 4).map((r) => r.itemId), 'never-seen'];
      const many = model.explainMany(query, ids, 3);
      expect(many).toHaveLength(ids.length);
      expect(many[ids.length - 1]).toBeUndefined();
      ids.slice(0, -1).forEach((id, n) => expect(many[n]).toEqual(model.explain(query, id, 3)));
    });

    if (!personalised) return;

    it('recovers the planted groups and beats popularity', () => {
      const result = evaluateRecommender(model, split.train, split.test, { k: 5 });
      expect(result.ndcg).toBeGreaterThan(popularityNdcg + 0.05);
      let inGroup = 0;
      let total = 0;
      for (let u = 0; u < 40; u++) {
        for (const r of model.recommend({ userId: `u${u}` }, 5)) {
          total++;
          if (planted.groupOfItem(r.itemId) === planted.groupOfUser(`u${u}`)) inGroup++;
        }
      }
      expect(inGroup / total).toBeGreaterThan(0.7);
    });

    it('serves an anonymous session from its items', () => {
      const session = ['i1', 'i5', 'i9']; // group 1
      const recs = model.recommend({ items: session }, 5);
      expect(recs).toHaveLength(5);
      for (const r of recs) expect(session).not.toContain(r.itemId);
      expect(recs.filter((r) => planted.groupOfItem(r.itemId) === 1).length).toBeGreaterThanOrEqual(3);
    });

    it('finds similar items in the same group, never the item itself', () => {
      const similar = model.similarItems('i8', 5); // group 0
      expect(similar.length).toBeGreaterThan(0);
      expect(similar.map((s) => s.itemId)).not.toContain('i8');
      const same = similar.filter((s) => planted.groupOfItem(s.itemId) === 0).length;
      expect(same / similar.length).toBeGreaterThanOrEqual(0.6);
    });
  });
});

/**
 * A weighted blend of other recommenders: score_j = Σ_s w_s·z_s(j), where z_s is source s's score standardised
 * per query (mean 0, standard deviation 1 over the catalogue), so sources on different scales blend fairly.
 * The weights are tuned on validation data carved out of the training set (per-user stratified by default,
 * temporal or leave-last-out on request, to match how the model will be judged):
 * sources are fitted on the rest, then coordinate ascent over a weight grid maximises NDCG@k of the blend on the
 * held-out items. The sources with non-zero weight are then refitted on all the training data.
 */
import type { BlobValue, DecodedArtifact } from '../artifact/artifact.codec';
import type { InteractionDataset } from '../core/interaction.dataset';
import { RecsysError } from '../core/recsys.errors';
import { splitDataset } from '../evaluation/dataset.splits';
import { rankingMetrics } from '../evaluation/ranking.metrics';
import { Rng } from '../math/rng';
import { topK } from '../math/top-k';
import { BaseRecommender, FitContext, IndexedRecommender, UserHistory } from './base.recommender';
import type { ParamSchema } from './params.schema';
import type { Contribution } from './recommender.types';

export interface HybridSource {
  algorithm: string;
  params?: Record<string, unknown>;
}

export type HybridParams = {
  sources: HybridSource[];
  validation: 'stratified-user' | 'temporal' | 'leave-last-out';
  validationRatio: number;
  validationUsers: number;
  candidates: number;
  k: number;
  seed: number;
};

export const HYBRID_SCHEMA: ParamSchema = {
  sources: {
    type: 'json',
    default: [
      { algorithm: 'ease' },
      { algorithm: 'als' },
      { algorithm: 'item-knn' },
      { algorithm: 'content' },
      { algorithm: 'trending' },
      { algorithm: 'popularity' },
    ],
    doc: 'recommenders to blend: [{ algorithm, params? }]',
  },
  validation: {
    type: 'enum',
    default: 'stratified-user',
    values: ['stratified-user', 'temporal', 'leave-last-out'],
    doc: 'how the validation set is carved out of training: match how the model will be judged (temporal in production)',
  },
  validationRatio: {
    type: 'number',
    default: 0.2,
    min: 0.01,
    max: 0.5,
    doc: 'share of training interactions held out to tune the weights (ignored by leave-last-out)',
  },
  validationUsers: { type: 'number', default: 1000, min: 1, integer: true, doc: 'users sampled for tuning' },
  candidates: {
    type: 'number',
    default: 100,
    min: 1,
    integer: true,
    doc: 'top items per source considered while tuning',
  },
  k: { type: 'number', default: 10, min: 1, integer: true, doc: 'cut-off of the NDCG the weights maximise' },
  seed: { type: 'number', default: 42, integer: true, doc: 'validation split and sampling seed' },
};

/** What the hybrid needs from a registry: build a source by name, and load one back. */
export interface SourceFactory {
  create(name: string, params?: Record<string, unknown>): IndexedRecommender & BaseRecommender<Record<string, unknown>>;
  deserialize(bytes: Uint8Array): IndexedRecommender & BaseRecommender<Record<string, unknown>>;
}

const WEIGHT_GRID = [0, 0.1, 0.25, 0.5, 1, 2, 4];

export class HybridRecommender extends BaseRecommender<HybridParams> {
  readonly algorithm = 'hybrid';
  protected readonly modelVersion = 1;
  private sources: {
    name: string;
    model: IndexedRecommender & BaseRecommender<Record<string, unknown>>;
    weight: number;
  }[] = [];

  constructor(
    params: Partial<HybridParams>,
    private readonly factory: SourceFactory,
  ) {
    super(HYBRID_SCHEMA, 'hybrid', params);
    if (!Array.isArray(this.params.sources) || this.params.sources.length === 0) {
      throw new RecsysError('RECSYS.BAD_PARAMS', 'hybrid: sources must be a non-empty array');
    }
    for (const s of this.params.sources) factory.create(s.algorithm, s.params); // validates names and params now
  }

  protected async fitModel(context: FitContext): Promise<{ engine: string; notes: string[] }> {
    const { dataset, progress, seed } = context;
    const specs = this.params.sources;
    const split = splitDataset(dataset, {
      method: this.params.validation,
      ratio: 1 - this.params.validationRatio,
      seed,
    });
    const tuning: IndexedRecommender[] = [];
    for (const [s, spec] of specs.entries()) {
      progress('validation fit', s / (2 * specs.length), spec.algorithm);
      const model = this.factory.create(spec.algorithm, spec.params);
      await model.fit(split.train, { now: context.now, signal: context.signal });
      tuning.push(model);
    }
    const weights = this.tuneWeights(tuning, split.train, split.test, new Rng(seed));
    const notes = [`weights ${specs.map((s, k) => `${s.algorithm}=${weights[k]}`).join(', ')}`];
    this.sources = [];
    for (const [s, spec] of specs.entries()) {
      if (weights[s] === 0) continue;
      progress('final fit', 0.5 + s / (2 * specs.length), spec.algorithm);
      const model = this.factory.create(spec.algorithm, spec.params);
      await model.fit(dataset, { now: context.now, signal: context.signal });
      this.sources.push({ name: spec.algorithm, model, weight: weights[s] });
    }
    return { engine: 'js', notes };
  }

  /** Coordinate ascent over {@link WEIGHT_GRID}, starting from the best single source; NDCG@k on validation. */
  private tuneWeights(
    models: IndexedRecommender[],
    train: InteractionDataset,
    validation: InteractionDataset,
    rng: Rng,
  ): number[] {
    const k = this.params.k;
    const trainM = train.toMatrix();
    const valM = validation.toMatrix();
    let users: number[] = [];
    for (let u = 0; u < valM.rows; u++) if (valM.rowLength(u) > 0 && trainM.rowLength(u) > 0) users.push(u);
    users = rng.shuffle(users).slice(0, this.params.validationUsers);
    // Per user: candidate items (union of each source's top items) with every source's standardised score.
    const n = train.numItems;
    const raw = new Float32Array(n);
    const cases = users
      .map((u) => {
        const history = models[0].historyOfUser(u);
        const seen = new Uint8Array(n);
        for (const i of history.items) seen[i] = 1;
        const relevant = new Set<number>();
        for (const i of valM.rowIndices(u)) if (!seen[i]) relevant.add(i);
        const z = models.map((m) => {
          m.scoreInto(m.historyOfUser(u), raw);
          return standardise(raw);
        });
        const pool = new Set<number>();
        for (const zs of z) for (const i of topK(zs, this.params.candidates, seen)) pool.add(i);
        const candidates = Int32Array.from(pool);
        return { relevant, candidates, scores: z.map((zs) => Float32Array.from(candidates, (i) => zs[i])) };
      })
      .filter((c) => c.relevant.size > 0);
    const objective = (w: number[]): number => {
      let sum = 0;
      for (const c of cases) {
        const blended = new Float32Array(c.candidates.length);
        w.forEach((ws, s) => {
          if (ws !== 0) for (let p = 0; p < blended.length; p++) blended[p] += ws * c.scores[s][p];
        });
        const ranked = Array.from(topK(blended, k), (p) => c.candidates[p]);
        sum += rankingMetrics(ranked, c.relevant, k).ndcg;
      }
      return cases.length > 0 ? sum / cases.length : 0;
    };
    const singles = models.map((_, s) => objective(models.map((_, t) => (t === s ? 1 : 0))));
    const best = singles.indexOf(Math.max(...singles));
    const w: number[] = models.map((_, s) => (s === best ? 1 : 0));
    let score = singles[best];
    for (let round = 0; round < 3; round++) {
      let improved = false;
      for (let s = 0; s < models.length; s++) {
        for (const v of WEIGHT_GRID) {
          if (v === w[s] || (s === best && v === 0)) continue;
          const trial = w.slice();
          trial[s] = v;
          const t = objective(trial);
          if (t > score + 1e-6) {
            score = t;
            w[s] = v;
            improved = true;
          }
        }
      }
      if (!improved) break;
    }
    this.meta.validationNdcg = score;
    this.meta.validationNdcgBySource = Object.fromEntries(this.params.sources.map((s, k) => [s.algorithm, singles[k]]));
    return w;
  }

  private sourceScores(history: UserHistory): Float32Array[] {
    const raw = new Float32Array(this.numItems);
    return this.sources.map(({ model }) => {
      // The source keeps its own copy of the training history; only the query's items are its business.
      model.scoreInto(history, raw);
      return standardise(raw);
    });
  }

  scoreInto(history: UserHistory, out: Float32Array): void {
    out.fill(0);
    this.sourceScores(history).forEach((z, s) => {
      const w = this.sources[s].weight;
      for (let j = 0; j < out.length; j++) out[j] += w * z[j];
    });
  }

  protected similarInto(item: number, out: Float32Array): boolean {
    // Similarity from the heaviest source that knows the item.
    const ordered = [...this.sources].sort((a, b) => b.weight - a.weight);
    for (const { model } of ordered) {
      const list = model.similarItems(this.items.idOf(item), Math.min(100, this.numItems));
      if (list.length === 0) continue;
      out.fill(0);
      for (const { itemId, score } of list) out[this.items.indexOf(itemId)] = score;
      return true;
    }
    return false;
  }

  /** One contribution per source (its weighted standardised score), then the heaviest source's own reasons. */
  protected contributions(history: UserHistory, item: number): { list: Contribution[]; approximate: boolean } {
    const z = this.sourceScores(history);
    const list: Contribution[] = this.sources.map(({ name, weight }, s) => ({
      kind: 'source',
      id: name,
      weight: weight * z[s][item],
      detail: `weight ${weight} × standardised score ${z[s][item].toFixed(3)}`,
    }));
    const top = this.sources.reduce((b, s, k) => (Math.abs(list[k].weight) > Math.abs(list[b].weight) ? k : b), 0);
    const trained = history.user >= 0 ? new Set(this.historyOfUser(history.user).items) : new Set<number>();
    const query = {
      userId: history.user >= 0 ? this.users.idOf(history.user) : undefined,
      items: Array.from(history.items)
        .filter((i) => !trained.has(i))
        .map((i) => this.items.idOf(i)),
    };
    const inner = this.sources[top].model.explain(query, this.items.idOf(item), 10);
    for (const c of inner.contributions)
      list.push({ ...c, detail: `via ${this.sources[top].name}${c.detail ? `: ${c.detail}` : ''}` });
    return { list, approximate: true };
  }

  protected modelBlobs(): Record<string, BlobValue> {
    const blobs: Record<string, BlobValue> = {
      sources: this.sources.map(({ name, weight }) => ({ name, weight })),
    };
    this.sources.forEach(({ model }, s) => (blobs[`source.${s}`] = model.serialize()));
    return blobs;
  }

  protected restoreModel(artifact: DecodedArtifact): void {
    const list = artifact.blob<{ name: string; weight: number }[]>('sources');
    this.sources = list.map(({ name, weight }, s) => ({
      name,
      weight,
      model: this.factory.deserialize(artifact.blob<Uint8Array>(`source.${s}`)),
    }));
  }
}

/** (x − mean)/std over finite scores; non-finite (an item a source cannot score) becomes that source's minimum. */
export function standardise(raw: Float32Array): Float32Array {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  for (const v of raw) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
  }
  const out = new Float32Array(raw.length);
  if (n === 0) return out;
  const mean = sum / n;
  let sq = 0;
  for (const v of raw) if (Number.isFinite(v)) sq += (v - mean) * (v - mean);
  const std = Math.sqrt(sq / n) || 1;
  for (let j = 0; j < raw.length; j++) out[j] = ((Number.isFinite(raw[j]) ? raw[j] : min) - mean) / std;
  return out;
}

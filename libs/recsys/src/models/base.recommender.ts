import { BlobValue, DecodedArtifact, encodeArtifact } from '../artifact/artifact.codec';
import { CsrMatrix } from '../core/csr.matrix';
import { IdMap } from '../core/id.map';
import type { InteractionDataset } from '../core/interaction.dataset';
import { RecsysError } from '../core/recsys.errors';
import { topK } from '../math/top-k';
import { ParamSchema, resolveParams } from './params.schema';
import type {
  Contribution,
  Explanation,
  FitOptions,
  FitReport,
  RecommendOptions,
  RecommendQuery,
  Recommender,
  ScoredItem,
} from './recommender.types';

/** A user's history over item indices, merged: unique items, summed weights, latest time per item. */
export interface UserHistory {
  /** Index of a known user, or -1 for an anonymous session. */
  user: number;
  items: Int32Array;
  weights: Float32Array;
  /** Seconds since the epoch per item, when known. */
  times?: Float64Array;
}

/** What a model's `fitModel` receives. */
export interface FitContext {
  dataset: InteractionDataset;
  /** Users × items, duplicates summed, latest time per cell. */
  matrix: CsrMatrix;
  now: number;
  seed: number;
  signal?: AbortSignal;
  progress(stage: string, fraction: number, message?: string): void;
}

/** The index-level API that evaluation and the hybrid use to score many users fast. */
export interface IndexedRecommender extends Recommender {
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  historyOfUser(user: number): UserHistory;
  historyOf(query: RecommendQuery): UserHistory;
  /** Scores every item for this history into `out` (length = number of items); higher is better. */
  scoreInto(history: UserHistory, out: Float32Array): void;
}

export function isIndexedRecommender(r: Recommender): r is IndexedRecommender {
  return typeof (r as IndexedRecommender).scoreInto === 'function';
}

/**
 * Shared plumbing: id maps, the training history (to answer by user id and exclude seen items), query resolution,
 * exclusion, top-k, and the artifact envelope. A model supplies fit, scoring, similarity, explanation and its blobs.
 */
export abstract class BaseRecommender<P extends Record<string, unknown>> implements IndexedRecommender {
  abstract readonly algorithm: string;
  /** Layout version of this model's blobs, stored in the artifact header. */
  protected abstract readonly modelVersion: number;
  readonly params: Readonly<P>;
  protected users = new IdMap();
  protected items = new IdMap();
  protected history?: CsrMatrix;
  protected meta: Record<string, unknown> = {};

  protected constructor(schema: ParamSchema, algorithm: string, params: Partial<P> = {}) {
    this.params = resolveParams<P>(algorithm, schema, params as Record<string, unknown>);
  }

  get fitted(): boolean {
    return this.history !== undefined;
  }

  get userIds(): IdMap {
    return this.users;
  }

  get itemIds(): IdMap {
    return this.items;
  }

  get numItems(): number {
    return this.items.size;
  }

  async fit(train: InteractionDataset, options: FitOptions = {}): Promise<FitReport> {
    const started = performance.now();
    // Copies: the dataset's maps may keep growing (a builder reused for the next run).
    this.users = new IdMap(train.users.toArray());
    this.items = new IdMap(train.items.toArray());
    const matrix = train.toMatrix();
    const seedParam = (this.params as { seed?: number }).seed;
    const context: FitContext = {
      dataset: train,
      matrix,
      now: options.now ?? train.maxTimestamp(),
      seed: options.seed ?? seedParam ?? 42,
      signal: options.signal,
      progress: (stage, fraction, message) => {
        options.signal?.throwIfAborted();
        options.onProgress?.({ stage, fraction, message });
      },
    };
    this.history = undefined;
    const result = await this.fitModel(context);
    this.history = matrix;
    const seconds = (performance.now() - started) / 1000;
    this.meta = {
      ...this.meta,
      fitSeconds: seconds,
      engine: result.engine,
      users: train.numUsers,
      items: train.numItems,
      interactions: train.size,
      now: context.now,
    };
    return {
      algorithm: this.algorithm,
      params: { ...this.params } as Record<string, unknown>,
      seconds,
      users: train.numUsers,
      items: train.numItems,
      interactions: train.size,
      engine: result.engine,
      notes: result.notes,
    };
  }

  protected abstract fitModel(context: FitContext): Promise<{ engine: string; notes?: string[] }>;
  abstract scoreInto(history: UserHistory, out: Float32Array): void;
  /** Similarity of every item to `item` into `out`; returns false when the model knows nothing about it. */
  protected abstract similarInto(item: number, out: Float32Array): boolean;
  protected abstract contributions(history: UserHistory, item: number): { list: Contribution[]; approximate?: boolean };
  protected abstract modelBlobs(): Record<string, BlobValue>;
  protected abstract restoreModel(artifact: DecodedArtifact): void;

  historyOfUser(user: number): UserHistory {
    const m = this.requireFitted();
    return {
      user,
      items: m.rowIndices(user),
      weights: m.rowValues(user),
      times: m.rowTimes(user),
    };
  }

  historyOf(query: RecommendQuery): UserHistory {
    const m = this.requireFitted();
    const user = query.userId !== undefined ? this.users.indexOf(query.userId) : -1;
    const extra = query.items ?? [];
    if (extra.length === 0) {
      return user >= 0 && user < m.rows
        ? this.historyOfUser(user)
        : { user, items: new Int32Array(0), weights: new Float32Array(0) };
    }
    const weight = new Map<number, number>();
    const time = new Map<number, number>();
    if (user >= 0 && user < m.rows) {
      const items = m.rowIndices(user);
      const values = m.rowValues(user);
      const times = m.rowTimes(user);
      for (let p = 0; p < items.length; p++) {
        weight.set(items[p], values[p]);
        if (times) time.set(items[p], times[p]);
      }
    }
    extra.forEach((id, k) => {
      const i = this.items.indexOf(id);
      if (i < 0) return;
      weight.set(i, (weight.get(i) ?? 0) + 1);
      // Query items are newer than training; without timestamps their order (oldest first) is kept by
      // millisecond steps after the training "now", which no decay notices but sequence models do.
      const t = query.timestamps?.[k] ?? Number(this.meta.now ?? 0) + (k + 1) / 1000;
      time.set(i, Math.max(time.get(i) ?? -Infinity, t));
    });
    const items = Int32Array.from([...weight.keys()].sort((a, b) => a - b));
    return {
      user,
      items,
      weights: Float32Array.from(items, (i) => weight.get(i)!),
      times: Float64Array.from(items, (i) => time.get(i) ?? 0),
    };
  }

  historySize(query: RecommendQuery): number {
    return this.historyOf(query).items.length;
  }

  recommend(query: RecommendQuery, options: RecommendOptions | number): ScoredItem[] {
    const opts: RecommendOptions = typeof options === 'number' ? { k: options } : options;
    const history = this.historyOf(query);
    const scores = new Float32Array(this.numItems);
    this.scoreInto(history, scores);
    const excluded = new Uint8Array(this.numItems);
    if (opts.excludeSeen !== false) for (const i of history.items) excluded[i] = 1;
    for (const id of opts.exclude ?? []) {
      const i = this.items.indexOf(id);
      if (i >= 0) excluded[i] = 1;
    }
    if (opts.candidates) {
      const allowed = new Uint8Array(this.numItems);
      for (const id of opts.candidates) {
        const i = this.items.indexOf(id);
        if (i >= 0) allowed[i] = 1;
      }
      for (let i = 0; i < excluded.length; i++) if (!allowed[i]) excluded[i] = 1;
    }
    return this.toScored(topK(scores, opts.k, excluded), scores);
  }

  similarItems(itemId: string, k: number): ScoredItem[] {
    this.requireFitted();
    const item = this.items.indexOf(itemId);
    if (item < 0) return [];
    const scores = new Float32Array(this.numItems);
    if (!this.similarInto(item, scores)) return [];
    const excluded = new Uint8Array(this.numItems);
    excluded[item] = 1;
    // Zero similarity is "no evidence", not a neighbour.
    for (let i = 0; i < scores.length; i++) if (scores[i] <= 0) excluded[i] = 1;
    return this.toScored(topK(scores, k, excluded), scores);
  }

  explain(query: RecommendQuery, itemId: string, maxContributions = 10): Explanation {
    this.requireFitted();
    if (this.items.indexOf(itemId) < 0)
      throw new RecsysError('RECSYS.UNKNOWN_ITEM', `item ${itemId} is unknown to this model`);
    return this.explainMany(query, [itemId], maxContributions)[0]!;
  }

  /**
   * Explanations of several items for one query, scoring once (a served list explains all its items).
   * Items the model does not know get `undefined`.
   */
  explainMany(query: RecommendQuery, itemIds: readonly string[], maxContributions = 10): (Explanation | undefined)[] {
    this.requireFitted();
    const history = this.historyOf(query);
    const scores = new Float32Array(this.numItems);
    this.scoreInto(history, scores);
    return itemIds.map((itemId) => {
      const item = this.items.indexOf(itemId);
      if (item < 0) return undefined;
      const { list, approximate } = this.contributions(history, item);
      list.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
      return {
        itemId,
        score: scores[item],
        contributions: list.slice(0, maxContributions),
        ...(approximate ? { approximate } : {}),
      };
    });
  }

  serialize(): Uint8Array {
    const m = this.requireFitted();
    return encodeArtifact({
      algorithm: this.algorithm,
      modelVersion: this.modelVersion,
      params: { ...this.params } as Record<string, unknown>,
      meta: this.meta,
      blobs: {
        users: [...this.users.toArray()],
        items: [...this.items.toArray()],
        'history.shape': Int32Array.of(m.rows, m.cols),
        'history.indptr': m.indptr,
        'history.indices': m.indices,
        'history.values': m.values,
        'history.times': m.times ?? new Float64Array(0),
        ...this.modelBlobs(),
      },
    });
  }

  /** Loads the state written by {@link serialize}; the registry calls it on a fresh instance built from the params. */
  restore(artifact: DecodedArtifact): this {
    if (artifact.header.modelVersion > this.modelVersion) {
      throw new RecsysError(
        'RECSYS.ARTIFACT_VERSION',
        `${this.algorithm} artifact layout v${artifact.header.modelVersion} is newer than this library's v${this.modelVersion}`,
      );
    }
    this.users = new IdMap(artifact.blob<string[]>('users'));
    this.items = new IdMap(artifact.blob<string[]>('items'));
    const shape = artifact.blob<Int32Array>('history.shape');
    const times = artifact.blob<Float64Array>('history.times');
    this.history = new CsrMatrix(
      shape[0],
      shape[1],
      artifact.blob<Int32Array>('history.indptr'),
      artifact.blob<Int32Array>('history.indices'),
      artifact.blob<Float32Array>('history.values'),
      times.length > 0 ? times : undefined,
    );
    this.meta = { ...artifact.header.meta };
    this.restoreModel(artifact);
    return this;
  }

  protected requireFitted(): CsrMatrix {
    if (!this.history) throw new RecsysError('RECSYS.NOT_FITTED', `${this.algorithm} is not fitted`);
    return this.history;
  }

  protected toScored(indices: Int32Array, scores: Float32Array): ScoredItem[] {
    return Array.from(indices, (i) => ({ itemId: this.items.idOf(i), score: scores[i] }));
  }

  /** Contribution entries for history items, e.g. for item-to-item models. */
  protected itemContribution(item: number, weight: number, detail?: string): Contribution {
    return { kind: 'item', id: this.items.idOf(item), weight, ...(detail ? { detail } : {}) };
  }
}

import type { InteractionDataset } from '../core/interaction.dataset';

/**
 * Who to recommend for. A known user's training history comes from the model; `items` adds recent events the
 * model has not seen (the current session, or what the feature store holds since training), oldest first.
 * A query with only `items` is an anonymous session.
 */
export interface RecommendQuery {
  userId?: string;
  items?: readonly string[];
  /** Seconds since the epoch, one per entry of `items`; time-decayed models use them, others ignore them. */
  timestamps?: readonly number[];
}

export interface RecommendOptions {
  k: number;
  /** Drop the user's history and the query's items from the answer (default true). */
  excludeSeen?: boolean;
  /** Business filters decided outside the model: out of stock, already bought elsewhere, wrong category. */
  exclude?: Iterable<string>;
  /** Rank only these items (e.g. a category page); unknown ids are ignored. */
  candidates?: Iterable<string>;
}

export interface ScoredItem {
  itemId: string;
  score: number;
}

/** One reason behind a score. `item`: a history item; `attribute`: a content term; the rest describe the model. */
export interface Contribution {
  kind: 'item' | 'attribute' | 'popularity' | 'trend' | 'source';
  /** Item id for `item`, term for `attribute`, source algorithm for `source`, a statistic's name otherwise. */
  id: string;
  /** Share of the score this reason carries, in the model's score units (largest |weight| first). */
  weight: number;
  detail?: string;
}

export interface Explanation {
  itemId: string;
  score: number;
  /** Largest absolute contributions first. */
  contributions: Contribution[];
  /** Set when the contributions approximate the score rather than add up to it. */
  approximate?: boolean;
}

export interface FitProgress {
  stage: string;
  /** 0..1 */
  fraction: number;
  message?: string;
}

export interface FitOptions {
  /** "Now" for time decay; defaults to the latest timestamp in the training data, so offline runs reproduce. */
  now?: number;
  /** Overrides the `seed` parameter for this fit. */
  seed?: number;
  /** Checked between iterations; an aborted fit rejects with the signal's reason. */
  signal?: AbortSignal;
  onProgress?: (progress: FitProgress) => void;
}

export interface FitReport {
  algorithm: string;
  params: Record<string, unknown>;
  seconds: number;
  users: number;
  items: number;
  interactions: number;
  /** Where the heavy lifting ran (e.g. `js`, `tfjs-wasm`, `tfjs-tensorflow`). */
  engine: string;
  notes?: string[];
}

/**
 * Every algorithm behind one interface, so the training service can fit, evaluate, store and serve any of them
 * by name (see `AlgorithmRegistry`). Scores are comparable within one model and one query only.
 */
export interface Recommender {
  /** Registry name, e.g. `ease`. */
  readonly algorithm: string;
  /** Resolved parameters (defaults filled in). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly fitted: boolean;

  fit(train: InteractionDataset, options?: FitOptions): Promise<FitReport>;
  /**
   * How many items of this query's history the model knows (training history plus known query items). Zero means
   * a personalised answer would be noise: the caller should fall back (session → trending → popular).
   */
  historySize(query: RecommendQuery): number;
  /** Top-k items, best first; seen items excluded unless asked otherwise. */
  recommend(query: RecommendQuery, options: RecommendOptions | number): ScoredItem[];
  /** Items most similar to `itemId` (the item itself excluded); empty when the model knows nothing about it. */
  similarItems(itemId: string, k: number): ScoredItem[];
  /** Why `itemId` scores what it does for this query. */
  explain(query: RecommendQuery, itemId: string, maxContributions?: number): Explanation;
  /** The same for several items, scoring once; `undefined` for items the model does not know. */
  explainMany(
    query: RecommendQuery,
    itemIds: readonly string[],
    maxContributions?: number,
  ): (Explanation | undefined)[];
  /** Versioned binary artifact (see `artifact.codec.ts`); `AlgorithmRegistry.deserialize` reverses it. */
  serialize(): Uint8Array;
}

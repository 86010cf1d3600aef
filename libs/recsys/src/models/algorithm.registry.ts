import { decodeArtifact, readArtifactHeader } from '../artifact/artifact.codec';
import { RecsysError } from '../core/recsys.errors';
import type { BaseRecommender } from './base.recommender';
import type { ParamSchema, ParamSpec } from './params.schema';

export type AnyRecommender = BaseRecommender<Record<string, unknown>>;
import { ALS_SCHEMA, AlsParams, AlsRecommender } from './als.recommender';
import { BPR_SCHEMA, BprParams, BprRecommender } from './bpr.recommender';
import { CONTENT_SCHEMA, ContentParams, ContentRecommender } from './content.recommender';
import { EASE_SCHEMA, EaseParams, EaseRecommender } from './ease.recommender';
import { HYBRID_SCHEMA, HybridParams, HybridRecommender } from './hybrid.recommender';
import { ITEM_KNN_SCHEMA, ItemKnnParams, ItemKnnRecommender, SAR_DEFAULTS } from './item-knn.recommender';
import { POPULARITY_SCHEMA, PopularityParams, PopularityRecommender } from './popularity.recommender';
import type { Recommender } from './recommender.types';
import { SESSION_KNN_SCHEMA, SessionKnnParams, SessionKnnRecommender } from './session-knn.recommender';
import { TRENDING_SCHEMA, TrendingParams, TrendingRecommender } from './trending.recommender';

/** How to build one algorithm by name; the schema documents and validates its parameters. */
export interface AlgorithmSpec {
  name: string;
  summary: string;
  schema: ParamSchema;
  create(params?: Record<string, unknown>): AnyRecommender;
}

/**
 * Algorithms by name: what a training service needs to fit any configured candidate and to load any stored
 * artifact without knowing the classes (`deserialize` reads the algorithm from the artifact header).
 */
export class AlgorithmRegistry {
  private readonly specs = new Map<string, AlgorithmSpec>();

  register(spec: AlgorithmSpec): this {
    if (this.specs.has(spec.name))
      throw new RecsysError('RECSYS.BAD_PARAMS', `algorithm ${spec.name} is already registered`);
    this.specs.set(spec.name, spec);
    return this;
  }

  names(): string[] {
    return [...this.specs.keys()];
  }

  has(name: string): boolean {
    return this.specs.has(name);
  }

  get(name: string): AlgorithmSpec {
    const spec = this.specs.get(name);
    if (!spec) {
      throw new RecsysError(
        'RECSYS.UNKNOWN_ALGORITHM',
        `unknown algorithm "${name}"; known: ${this.names().join(', ')}`,
      );
    }
    return spec;
  }

  create(name: string, params: Record<string, unknown> = {}): AnyRecommender {
    return this.get(name).create(params);
  }

  /** Rebuilds a fitted model from {@link Recommender.serialize}'s bytes, checksums verified. */
  deserialize(bytes: Uint8Array): AnyRecommender {
    const header = readArtifactHeader(bytes);
    return this.create(header.algorithm, header.params).restore(decodeArtifact(bytes));
  }
}

/** Every built-in algorithm. A service may build its own registry and register more. */
export function createDefaultRegistry(): AlgorithmRegistry {
  const registry = new AlgorithmRegistry();
  registry
    .register({
      name: 'popularity',
      summary: 'most interacted-with items (distinct users)',
      schema: POPULARITY_SCHEMA,
      create: (p) => new PopularityRecommender(p as Partial<PopularityParams>),
    })
    .register({
      name: 'trending',
      summary: 'time-decayed popularity',
      schema: TRENDING_SCHEMA,
      create: (p) => new TrendingRecommender(p as Partial<TrendingParams>),
    })
    .register({
      name: 'item-knn',
      summary: 'item-to-item neighbours (cosine / Jaccard / lift, optional time decay)',
      schema: ITEM_KNN_SCHEMA,
      create: (p) => new ItemKnnRecommender(p as Partial<ItemKnnParams>),
    })
    .register({
      name: 'sar',
      summary: 'SAR: Jaccard item similarity with time-decayed user affinity (item-knn preset)',
      schema: withDefaults(ITEM_KNN_SCHEMA, SAR_DEFAULTS),
      create: (p) => new ItemKnnRecommender({ ...SAR_DEFAULTS, ...(p as Partial<ItemKnnParams>) }, 'sar'),
    })
    .register({
      name: 'ease',
      summary: 'EASE linear item-item autoencoder, closed form (Steck 2019)',
      schema: EASE_SCHEMA,
      create: (p) => new EaseRecommender(p as Partial<EaseParams>),
    })
    .register({
      name: 'als',
      summary: 'implicit matrix factorisation, WRMF with conjugate-gradient ALS (Hu et al. 2008)',
      schema: ALS_SCHEMA,
      create: (p) => new AlsRecommender(p as Partial<AlsParams>),
    })
    .register({
      name: 'bpr',
      summary: 'Bayesian personalised ranking matrix factorisation, SGD (Rendle et al. 2009)',
      schema: BPR_SCHEMA,
      create: (p) => new BprRecommender(p as Partial<BprParams>),
    })
    .register({
      name: 'content',
      summary: 'TF-IDF over title, description, categories and attributes (cold start)',
      schema: CONTENT_SCHEMA,
      create: (p) => new ContentRecommender(p as Partial<ContentParams>),
    })
    .register({
      name: 'session-knn',
      summary: 'session-based: sequence-window item neighbours scored from the latest items',
      schema: SESSION_KNN_SCHEMA,
      create: (p) => new SessionKnnRecommender(p as Partial<SessionKnnParams>),
    })
    .register({
      name: 'hybrid',
      summary: 'weighted blend of other algorithms, weights tuned on validation data',
      schema: HYBRID_SCHEMA,
      create: (p) => new HybridRecommender(p as Partial<HybridParams>, registry),
    });
  return registry;
}

/** The same schema with other defaults (for presets such as SAR). */
function withDefaults(schema: ParamSchema, defaults: Record<string, unknown>): ParamSchema {
  const out: ParamSchema = {};
  for (const [key, spec] of Object.entries(schema)) {
    out[key] = key in defaults ? ({ ...spec, default: defaults[key] } as ParamSpec) : spec;
  }
  return out;
}

export const defaultRegistry = createDefaultRegistry();

export function createRecommender(name: string, params?: Record<string, unknown>): Recommender {
  return defaultRegistry.create(name, params);
}

export function deserializeRecommender(bytes: Uint8Array): Recommender {
  return defaultRegistry.deserialize(bytes);
}

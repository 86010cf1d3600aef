import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { ValidationError } from '@app/platform/errors';
import type { RecommendQuery } from '@app/recsys';
import { createHash, randomUUID } from 'node:crypto';
import { itemSimilarity, mmr } from '../domain/diversity';
import { explain, ExplanationFactor, ServedExplanation } from '../domain/explanation';
import { FilterSpec, ItemInfo, needsItemData, NO_FILTERS, passesFilters } from '../domain/item-info';
import type { Assignment, SourceName, StrategyName, Treatment } from '../domain/serving.types';
import { Degradation, EMPTY_USER, FeatureStoreClient, UserContext } from '../infra/feature-store.client';
import type { RecommendationConfig } from '../recommendation.config';
import { ExperimentService } from './experiment.service';
import { LoadedModel, ModelHolder } from './model-holder.service';
import { ResultCache } from './result-cache';
import { ServingMetrics } from '../infra/serving.metrics';
import { DriftMonitor } from './drift.monitor';

export const MAX_K = 100;
const MAX_IDS = 100;
/** Recent items used as anchors for item-to-item candidates, newest first. */
const ANCHORS = 5;
/** How much each source's best candidate is worth against the others' (before diversity). */
const TIER: Record<SourceName, number> = {
  personalised: 1,
  session_item_to_item: 0.85,
  content: 0.8,
  bought_together: 0.8,
  trending: 0.6,
  popular: 0.5,
};

export interface ServedItem {
  readonly itemId: string;
  readonly score: number;
  readonly source: SourceName;
  readonly modelId?: string;
  readonly explanation?: ServedExplanation;
}

export interface ServedAnswer {
  readonly recommendationId: string;
  readonly items: readonly ServedItem[];
  readonly degradations: readonly Degradation[];
  readonly assignment?: Assignment;
  readonly modelId?: string;
}

export interface RecommendInput {
  userId?: string;
  sessionId?: string;
  sessionItemIds: readonly string[];
  k?: number;
  filters: FilterSpec;
  placement?: string;
  diversity?: number;
  omitExplanations: boolean;
}

interface Candidate {
  itemId: string;
  /** 0..1 within its source, times the source's tier. */
  relevance: number;
  source: SourceName;
  modelId?: string;
  factors?: ExplanationFactor[];
  anchorItemId?: string;
  category?: string;
}

interface Job {
  k: number;
  filters: FilterSpec;
  purchased: ReadonlySet<string>;
  /** Items never to show (explicit excludes, what the shopper is looking at). */
  exclude: Set<string>;
  degradations: Degradation[];
  infos: Map<string, ItemInfo>;
  lambda: number;
}

type Source = () => Promise<Candidate[]>;

function normalised(
  list: { itemId: string; score: number }[],
  source: SourceName,
  extra: Partial<Candidate> = {},
): Candidate[] {
  if (list.length === 0) return [];
  const max = Math.max(...list.map((x) => x.score));
  const min = Math.min(...list.map((x) => x.score), 0);
  const span = max - min || 1;
  return list.map((x, i) => ({
    itemId: x.itemId,
    // Scores of one list only; a small rank term keeps ties in the list's own order.
    relevance: TIER[source] * (0.9 * ((x.score - min) / span) + 0.1 * (1 - i / list.length)),
    source,
    ...extra,
  }));
}

function requireK(k: number | undefined, def: number): number {
  const v = k || def;
  if (!Number.isInteger(v) || v < 1 || v > MAX_K)
    throw new ValidationError([{ field: 'k', message: `must be from 1 to ${MAX_K}` }]);
  return v;
}

function requireIds(field: string, ids: readonly string[], max = MAX_IDS): void {
  if (ids.length > max) throw new ValidationError([{ field, message: `at most ${max}, got ${ids.length}` }]);
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || !id.trim())
      throw new ValidationError([{ field: `${field}[${i}]`, message: 'must not be empty' }]);
  });
}

/**
 * The serving pipeline: history from the feature store → candidates from the model (or the variant's
 * strategy) → business filters → diversity → explanations, with the fallback chain personalised →
 * session item-to-item → trending → popular filling whatever is missing. A dependency that is down
 * degrades the answer, never fails it.
 */
@Injectable()
export class RecommendService {
  private readonly cache: ResultCache<Omit<ServedAnswer, 'recommendationId'>>;
  private readonly served = new Map<string, ServedAnswer & { userId?: string }>();

  constructor(
    private readonly features: FeatureStoreClient,
    private readonly models: ModelHolder,
    private readonly experiments: ExperimentService,
    private readonly servingMetrics: ServingMetrics,
    private readonly drift: DriftMonitor,
    @Inject(APP_CONFIG) private readonly config: RecommendationConfig,
  ) {
    this.cache = new ResultCache(
      config.RECOMMENDATION_CACHE_TTL_SECONDS * 1000,
      config.RECOMMENDATION_CACHE_MAX_ENTRIES,
    );
  }

  /** A user or session acted: their cached answers and remembered history are stale. */
  invalidate(userId?: string, sessionId?: string): void {
    if (userId) {
      this.cache.invalidate(`u:${userId}`);
      this.features.forgetUser(userId);
    }
    if (sessionId) this.cache.invalidate(`s:${sessionId}`);
  }

  async recommend(r: RecommendInput): Promise<ServedAnswer> {
    const k = requireK(r.k, 10);
    requireIds('session_item_ids', r.sessionItemIds);
    const userId = r.userId?.trim() || undefined;
    const sessionId = r.sessionId?.trim() || undefined;
    if (!userId && r.sessionItemIds.length === 0) {
      throw new ValidationError([{ field: 'user_id', message: 'user_id or session_item_ids is required' }]);
    }
    const lambda = this.lambda(r.diversity);
    const subject = userId ? `u:${userId}` : sessionId ? `s:${sessionId}` : undefined;
    const assignment = subject ? this.experiments.assign(userId ?? sessionId!, r.placement) : undefined;
    const treatment: Treatment = assignment?.treatment ?? { strategy: 'default' };
    // The serving model is part of the key: a promotion retires every answer the old model gave.
    const modelKey = treatment.modelId ?? this.models.current()?.modelId ?? '';
    const compute = () => this.compute(r, k, userId, lambda, treatment, assignment);
    // Concurrent requests with one key share one computation; a degraded answer is not kept, so the next
    // request tries the dependencies again.
    const answer = subject
      ? await this.cache.getOrCompute(subject, cacheKey('recommend', r, k, assignment, modelKey), async () => {
          const a = await compute();
          return { value: a, keep: a.degradations.length === 0 };
        })
      : await compute();
    return this.remember({ ...answer, recommendationId: newId() }, userId);
  }

  private async compute(
    r: RecommendInput,
    k: number,
    userId: string | undefined,
    lambda: number,
    treatment: Treatment,
    assignment: Assignment | undefined,
  ): Promise<Omit<ServedAnswer, 'recommendationId'>> {
    const degradations: Degradation[] = [];
    let user: UserContext = EMPTY_USER;
    if (userId) {
      const u = await this.features.user(userId);
      user = u.value;
      if (u.degradation) degradations.push(u.degradation);
    }
    const personalise =
      !!userId &&
      (user.consent === 'granted' ||
        (user.consent === 'unknown' && this.config.RECOMMENDATION_PERSONALISE_UNKNOWN_CONSENT));
    // Oldest first, without repeats: the session's items, then (for consenting users) the store's recent history.
    const recent = dedupe([
      ...(personalise ? [...user.recent].reverse().map((e) => e.itemId) : []),
      ...r.sessionItemIds,
    ]);
    this.drift.observe(recent);
    const job = this.job(
      k,
      r.filters,
      personalise ? user.purchased : new Set(),
      [...r.sessionItemIds],
      degradations,
      treatment.diversity ?? lambda,
    );
    let model: LoadedModel | undefined;
    if (treatment.strategy === 'default' || treatment.strategy === 'session_item_to_item') {
      model = treatment.modelId ? await this.models.byId(treatment.modelId) : this.models.current();
      if (!model) {
        degradations.push({
          component: 'model',
          reason: treatment.modelId ? `model ${treatment.modelId} unavailable` : 'no champion model loaded',
        });
      }
    }
    const query: RecommendQuery = { userId: personalise ? userId : undefined, items: recent };
    const sources = this.chain(treatment.strategy, {
      personalised: () => this.personalised(model, query, job),
      session: () => this.itemToItem(model, [...recent].reverse().slice(0, ANCHORS), job, 'session_item_to_item'),
      trending: () => this.topList('trending', undefined, job),
      popular: () => this.topList('popularity', undefined, job),
    });
    const items = await this.run(job, sources, !r.omitExplanations, model, query);
    return { items, degradations: unique(degradations), assignment, modelId: model?.modelId };
  }

  async session(r: Omit<RecommendInput, 'userId'>): Promise<ServedAnswer> {
    requireIds('session_item_ids', r.sessionItemIds);
    if (r.sessionItemIds.length === 0) {
      throw new ValidationError([{ field: 'session_item_ids', message: 'at least one item is required' }]);
    }
    return this.recommend({ ...r, userId: undefined });
  }

  async similar(r: {
    itemId: string;
    userId?: string;
    k?: number;
    filters: FilterSpec;
    omitExplanations: boolean;
  }): Promise<ServedAnswer> {
    const k = requireK(r.k, 10);
    if (!r.itemId?.trim()) throw new ValidationError([{ field: 'item_id', message: 'is required' }]);
    const degradations: Degradation[] = [];
    const purchased = await this.purchasedOf(r.userId, r.filters, degradations);
    const job = this.job(k, r.filters, purchased, [r.itemId], degradations, 0);
    const model = this.models.current();
    const items = await this.run(
      job,
      [
        () => this.itemToItem(model, [r.itemId], job, 'session_item_to_item'),
        () => this.categoryTop(r.itemId, job),
        () => this.topList('popularity', undefined, job),
      ],
      !r.omitExplanations,
      model,
      {},
      'similar_item',
    );
    return this.remember(
      { recommendationId: newId(), items, degradations: unique(degradations), modelId: model?.modelId },
      r.userId,
    );
  }

  async boughtTogether(r: {
    itemIds: readonly string[];
    userId?: string;
    k?: number;
    filters: FilterSpec;
    omitExplanations: boolean;
  }): Promise<ServedAnswer> {
    const k = requireK(r.k, 5);
    requireIds('item_ids', r.itemIds);
    if (r.itemIds.length === 0)
      throw new ValidationError([{ field: 'item_ids', message: 'at least one item is required' }]);
    const degradations: Degradation[] = [];
    const purchased = await this.purchasedOf(r.userId, r.filters, degradations);
    const job = this.job(k, r.filters, purchased, [...r.itemIds], degradations, 0);
    const items = await this.run(
      job,
      [
        async () => {
          const n = await this.features.neighbours(r.itemIds, 'co_purchase', 50);
          if (n.degradation) degradations.push(n.degradation);
          return aggregate(r.itemIds, n.value, 'bought_together');
        },
        () => this.topList('popularity', undefined, job),
      ],
      !r.omitExplanations,
      undefined,
      {},
    );
    return this.remember({ recommendationId: newId(), items, degradations: unique(degradations) }, r.userId);
  }

  async top(
    metric: 'popularity' | 'trending',
    r: { category?: string; k?: number; userId?: string; filters: FilterSpec },
  ): Promise<ServedAnswer> {
    const k = requireK(r.k, 10);
    const degradations: Degradation[] = [];
    const purchased = await this.purchasedOf(r.userId, r.filters, degradations);
    const category = r.category?.trim() || undefined;
    const job = this.job(k, r.filters, purchased, [], degradations, 0);
    const sources: Source[] = [() => this.topList(metric, category, job)];
    // Trending over too little activity falls back to popular (and says so).
    if (metric === 'trending') sources.push(() => this.topList('popularity', category, job));
    const items = await this.run(job, sources, true, undefined, {});
    if (metric === 'trending' && items.some((i) => i.source === 'popular')) {
      degradations.push({ component: 'trending', reason: 'too few trending items, popular ones filled the list' });
    }
    return this.remember({ recommendationId: newId(), items, degradations: unique(degradations) }, r.userId);
  }

  /** Why an item for a user: as served (by recommendation id) or as it would be now. */
  async explainItem(r: { itemId: string; userId?: string; recommendationId?: string }) {
    if (!r.itemId?.trim()) throw new ValidationError([{ field: 'item_id', message: 'is required' }]);
    if (r.recommendationId) {
      const served = this.served.get(r.recommendationId);
      const index = served?.items.findIndex((i) => i.itemId === r.itemId) ?? -1;
      if (served && index >= 0) return { ...served.items[index], rank: index + 1 };
    }
    if (!r.userId?.trim())
      throw new ValidationError([{ field: 'user_id', message: 'is required without a known recommendation_id' }]);
    const answer = await this.recommend({
      userId: r.userId,
      sessionItemIds: [],
      k: MAX_K,
      filters: { ...NO_FILTERS, excludePurchased: false },
      omitExplanations: true,
    });
    const index = answer.items.findIndex((i) => i.itemId === r.itemId);
    const model = this.models.current();
    if (index >= 0) {
      const purchased = (await this.features.user(r.userId)).value.purchased;
      const [explained] = await this.explainAll([answer.items[index]], model, { userId: r.userId }, purchased);
      return { ...explained, rank: index + 1 };
    }
    // Outside the top 100: the model's score and reasons all the same.
    if (model) {
      const e = model.recommender.explain({ userId: r.userId }, r.itemId, 3);
      const factors = e.contributions.map((c) =>
        c.kind === 'item' ? { itemId: c.id, weight: c.weight } : { attribute: c.id, weight: c.weight },
      );
      const infos = (await this.features.itemInfos(factors.flatMap((f) => (f.itemId ? [f.itemId] : [])))).value;
      return {
        itemId: r.itemId,
        score: e.score,
        source: 'personalised' as SourceName,
        modelId: model.modelId,
        explanation: explain({
          source: 'personalised',
          factors,
          title: (id) => infos.get(id)?.title ?? id,
          purchased: new Set(),
        }),
        rank: 0,
      };
    }
    return { itemId: r.itemId, score: 0, source: 'popular' as SourceName, rank: 0 };
  }

  // -------------------------------------------------------------------------------------------

  private lambda(diversity: number | undefined): number {
    if (diversity === undefined || diversity === null) return this.config.RECOMMENDATION_DIVERSITY;
    if (!Number.isFinite(diversity) || diversity < 0 || diversity > 1) {
      throw new ValidationError([{ field: 'diversity', message: 'must be from 0 to 1' }]);
    }
    return diversity;
  }

  private job(
    k: number,
    filters: FilterSpec,
    purchased: ReadonlySet<string>,
    exclude: string[],
    degradations: Degradation[],
    lambda: number,
  ): Job {
    return {
      k,
      filters,
      purchased,
      exclude: new Set([...exclude, ...filters.excludeItemIds]),
      degradations,
      infos: new Map(),
      lambda,
    };
  }

  private async purchasedOf(
    userId: string | undefined,
    filters: FilterSpec,
    degradations: Degradation[],
  ): Promise<ReadonlySet<string>> {
    if (!userId?.trim() || !filters.excludePurchased) return new Set();
    const u = await this.features.user(userId.trim());
    if (u.degradation) degradations.push(u.degradation);
    return u.value.purchased;
  }

  private chain(
    strategy: StrategyName,
    s: { personalised: Source; session: Source; trending: Source; popular: Source },
  ): Source[] {
    switch (strategy) {
      case 'default':
        return [s.personalised, s.session, s.trending, s.popular];
      case 'session_item_to_item':
        return [s.session, s.popular];
      case 'trending':
        return [s.trending, s.popular];
      case 'popular':
        return [s.popular];
    }
  }

  private async personalised(model: LoadedModel | undefined, query: RecommendQuery, job: Job): Promise<Candidate[]> {
    if (!model || model.recommender.historySize(query) === 0) return [];
    const want = job.k * this.config.RECOMMENDATION_CANDIDATE_FACTOR;
    // Items the model gives no score are not a personal pick: the fallbacks fill those places.
    const recs = model.recommender.recommend(query, { k: want, exclude: job.exclude }).filter((x) => x.score > 0);
    return normalised(recs, 'personalised', { modelId: model.modelId });
  }

  /** Items similar to the anchors (newest first, weighted by recency): from the model, else co-views. */
  private async itemToItem(
    model: LoadedModel | undefined,
    anchors: string[],
    job: Job,
    source: SourceName,
  ): Promise<Candidate[]> {
    if (anchors.length === 0) return [];
    const want = job.k * this.config.RECOMMENDATION_CANDIDATE_FACTOR;
    const lists = new Map<string, { itemId: string; score: number }[]>();
    if (model)
      for (const a of anchors)
        lists.set(
          a,
          model.recommender.similarItems(a, want).filter((x) => x.score > 0),
        );
    const unknown = anchors.filter((a) => !lists.get(a)?.length);
    if (unknown.length) {
      const n = await this.features.neighbours(unknown, 'co_view', want);
      if (n.degradation) job.degradations.push(n.degradation);
      for (const [a, list] of n.value) lists.set(a, list);
    }
    return aggregate(anchors, lists, source, model?.modelId);
  }

  private async topList(
    metric: 'popularity' | 'trending',
    category: string | undefined,
    job: Job,
  ): Promise<Candidate[]> {
    const want = Math.min(
      1000,
      job.k * this.config.RECOMMENDATION_CANDIDATE_FACTOR + job.exclude.size + job.purchased.size,
    );
    const t = await this.features.top(metric, category, want);
    if (t.degradation) job.degradations.push(t.degradation);
    return normalised(t.value, metric === 'trending' ? 'trending' : 'popular', { category });
  }

  /** Popular items of the item's own category (for similar items the model knows nothing about). */
  private async categoryTop(itemId: string, job: Job): Promise<Candidate[]> {
    const info = (await this.features.itemInfos([itemId])).value.get(itemId);
    const category = info?.categories[info.categories.length - 1];
    if (!category) return [];
    return this.topList('popularity', category, job);
  }

  /** Takes sources in order until enough items pass the filters, diversifies, explains. */
  private async run(
    job: Job,
    sources: Source[],
    explanations: boolean,
    model: LoadedModel | undefined,
    query: RecommendQuery,
    similarTo?: 'similar_item',
  ): Promise<ServedItem[]> {
    const pool: Candidate[] = [];
    const seen = new Set<string>(job.exclude);
    const target = job.lambda > 0 ? job.k * 3 : job.k;
    for (const source of sources) {
      if (pool.length >= target) break;
      const candidates = (await source()).filter((c) => !seen.has(c.itemId));
      await this.resolve(
        job,
        candidates.map((c) => c.itemId),
      );
      for (const c of candidates) {
        if (seen.has(c.itemId)) continue;
        seen.add(c.itemId);
        const info = job.infos.get(c.itemId);
        const passes = info
          ? passesFilters(info, job.filters, job.purchased)
          : !needsItemData(job.filters) && !job.purchased.has(c.itemId);
        if (passes) pool.push(c);
      }
      // A personalised list fills only up to k before the fallbacks are asked; the pool's order is the chain's.
      if (pool.length >= job.k && job.lambda <= 0) break;
    }
    const picked = mmr(
      pool,
      job.k,
      job.lambda,
      (c) => c.relevance,
      (a, b) => itemSimilarity(job.infos.get(a.itemId), job.infos.get(b.itemId)),
    );
    const items: ServedItem[] = picked.map((c) => ({
      itemId: c.itemId,
      score: round(c.relevance),
      source: c.source,
      modelId: c.modelId,
    }));
    if (!explanations) return items;
    return this.explainAll(items, model, query, job.purchased, picked, job, similarTo);
  }

  private async resolve(job: Job, ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !job.infos.has(id));
    if (missing.length === 0) return;
    const f = await this.features.itemInfos(missing);
    if (f.degradation) job.degradations.push(f.degradation);
    for (const [id, info] of f.value) job.infos.set(id, info);
  }

  private async explainAll(
    items: ServedItem[],
    model: LoadedModel | undefined,
    query: RecommendQuery,
    purchased: ReadonlySet<string>,
    picked?: Candidate[],
    job?: Job,
    similarTo?: 'similar_item',
  ): Promise<ServedItem[]> {
    // The model's reasons for its own picks, all scored in one pass.
    const modelPicks = model
      ? items.filter((item, i) => !picked?.[i]?.factors && item.source === 'personalised').map((x) => x.itemId)
      : [];
    const reasons = new Map<string, ExplanationFactor[]>();
    if (model && modelPicks.length > 0) {
      model.recommender.explainMany(query, modelPicks, 3).forEach((e, n) => {
        reasons.set(
          modelPicks[n],
          (e?.contributions ?? []).map((x) =>
            x.kind === 'item' ? { itemId: x.id, weight: x.weight } : { attribute: x.id, weight: x.weight },
          ),
        );
      });
    }
    const factorsOf = items.map((item, i) => picked?.[i]?.factors ?? reasons.get(item.itemId) ?? []);
    const infos = job?.infos ?? new Map<string, ItemInfo>();
    const referenced = factorsOf.flatMap((f) => f.flatMap((x) => (x.itemId ? [x.itemId] : [])));
    const missing = [...new Set([...referenced, ...items.map((i) => i.itemId)])].filter((id) => !infos.has(id));
    if (missing.length) for (const [id, info] of (await this.features.itemInfos(missing)).value) infos.set(id, info);
    const title = (id: string) => infos.get(id)?.title ?? id;
    return items.map((item, i) => {
      const c = picked?.[i];
      const category = c?.category ?? infos.get(item.itemId)?.categories[0];
      const base = explain({
        source: item.source,
        factors: factorsOf[i],
        title,
        purchased,
        category,
        anchorItemId: c?.anchorItemId,
      });
      const explanation =
        similarTo && c?.anchorItemId
          ? { ...base, kind: 'similar_item' as const, text: `Similar to ${title(c.anchorItemId)}` }
          : base;
      return { ...item, explanation };
    });
  }

  private remember(answer: ServedAnswer, userId?: string): ServedAnswer {
    this.servingMetrics.answered(answer);
    this.served.set(answer.recommendationId, { ...answer, userId });
    if (this.served.size > 10_000) this.served.delete(this.served.keys().next().value as string);
    return answer;
  }
}

/** Sums neighbour lists of several anchors, newer anchors weighing more; remembers the strongest anchor. */
function aggregate(
  anchors: readonly string[],
  lists: Map<string, { itemId: string; score: number }[]>,
  source: SourceName,
  modelId?: string,
): Candidate[] {
  const total = new Map<string, { score: number; anchor: string; best: number }>();
  anchors.forEach((a, rank) => {
    const w = 1 / (1 + rank * 0.5);
    for (const n of lists.get(a) ?? []) {
      const contribution = n.score * w;
      const t = total.get(n.itemId);
      if (!t) total.set(n.itemId, { score: contribution, anchor: a, best: contribution });
      else {
        t.score += contribution;
        if (contribution > t.best) {
          t.best = contribution;
          t.anchor = a;
        }
      }
    }
  });
  const ranked = [...total.entries()].sort((x, y) => y[1].score - x[1].score || x[0].localeCompare(y[0]));
  const list = ranked.map(([itemId, t]) => ({ itemId, score: t.score }));
  const cands = normalised(list, source, { modelId });
  return cands.map((c, i) => {
    const anchor = ranked[i][1].anchor;
    return { ...c, anchorItemId: anchor, factors: [{ itemId: anchor, weight: ranked[i][1].best }] };
  });
}

function dedupe(ids: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = ids.length - 1; i >= 0; i--) {
    if (seen.has(ids[i])) continue;
    seen.add(ids[i]);
    out.unshift(ids[i]);
  }
  return out;
}

function unique(d: Degradation[]): Degradation[] {
  const seen = new Set<string>();
  return d.filter((x) => {
    const key = `${x.component}|${x.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function newId(): string {
  return `rec_${randomUUID()}`;
}

function cacheKey(kind: string, r: RecommendInput, k: number, a: Assignment | undefined, modelId: string): string {
  const f = r.filters;
  return createHash('sha1')
    .update(
      JSON.stringify([
        kind,
        modelId,
        r.userId,
        r.sessionId,
        r.sessionItemIds,
        k,
        r.placement,
        r.diversity,
        r.omitExplanations,
        a?.experimentId,
        a?.variantId,
        f.includeCategories,
        f.excludeCategories,
        [...f.excludeItemIds],
        f.excludePurchased,
        f.inStockOnly,
        f.minPrice,
        f.maxPrice,
        f.includeBrands,
      ]),
    )
    .digest('base64');
}

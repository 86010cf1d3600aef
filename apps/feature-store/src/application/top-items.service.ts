import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { ValidationError } from '@app/platform/errors';
import {
  decayedAt,
  FeatureParams,
  isExpired,
  ItemContentState,
  itemContentView,
  ItemStatsState,
  itemStatsView,
  ItemStockState,
  itemStockView,
  readFeatures,
  trendingScore,
} from '../domain';
import { featureParams, FeatureStoreConfig } from '../feature-store.config';
import { Clock } from '../infra/clock';
import { FeatureRepository } from '../infra/feature.repository';

export type TopMetric = 'popularity' | 'trending';

export interface TopItem {
  itemId: string;
  score: number;
  decayedPopularity: number;
}

interface Ranked extends TopItem {
  categories: readonly string[];
  recommendable: boolean;
}

interface Ranking {
  computedAt: number;
  popularity: Ranked[];
  trending: Ranked[];
  byCategory: Record<TopMetric, Map<string, Ranked[]>>;
}

/** Interest in the trend's recent window below which an item is not "trending" (one weighted event). */
const MIN_RECENT_INTEREST = 1;
export const MAX_TOP_ITEMS = 1000;

/**
 * Popular and trending items, overall or per category. The ranking over every item is computed from
 * the online states at most every FEATURE_STORE_TOP_ITEMS_REFRESH_SECONDS and shared by all readers.
 */
@Injectable()
export class TopItemsService {
  private readonly params: FeatureParams;
  private readonly refreshMs: number;
  private current?: Ranking;
  private computing?: Promise<Ranking>;

  constructor(
    private readonly repo: FeatureRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: FeatureStoreConfig,
  ) {
    this.params = featureParams(config);
    this.refreshMs = config.FEATURE_STORE_TOP_ITEMS_REFRESH_SECONDS * 1000;
  }

  async top(r: { metric: TopMetric; category?: string; limit?: number; includeUnavailable: boolean }) {
    const limit = r.limit || 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOP_ITEMS) {
      throw new ValidationError([{ field: 'limit', message: `must be an integer from 1 to ${MAX_TOP_ITEMS}` }]);
    }
    const ranking = await this.ranking();
    const category = r.category?.trim() || undefined;
    const items: TopItem[] = [];
    for (const x of category ? inCategory(ranking, r.metric, category) : ranking[r.metric]) {
      if (items.length >= limit) break;
      if (!r.includeUnavailable && !x.recommendable) continue;
      items.push({ itemId: x.itemId, score: x.score, decayedPopularity: x.decayedPopularity });
    }
    return { items, computedAt: ranking.computedAt };
  }

  /**
   * The current ranking. Once one exists, readers never wait for a refresh: a stale ranking is served
   * while the next one is computed in the background (it reads every item's state).
   */
  private async ranking(): Promise<Ranking> {
    const now = this.clock.now();
    if (this.current && now - this.current.computedAt < this.refreshMs) return this.current;
    if (!this.computing) {
      this.computing = this.compute(now)
        .then((ranking) => (this.current = ranking))
        .finally(() => (this.computing = undefined));
      // A failed background refresh keeps the last ranking; the next read tries again.
      if (this.current) this.computing.catch(() => undefined);
    }
    return this.current ?? this.computing;
  }

  private async compute(now: number): Promise<Ranking> {
    const rows = await this.repo.allStates([itemStatsView.name, itemContentView.name, itemStockView.name]);
    const content = new Map<string, ItemContentState>();
    const stock = new Map<string, ItemStockState>();
    const stats: [string, ItemStatsState][] = [];
    for (const r of rows) {
      if (r.view === itemContentView.name) content.set(r.entity, r.state as ItemContentState);
      else if (r.view === itemStockView.name) stock.set(r.entity, r.state as ItemStockState);
      else stats.push([r.entity, r.state as ItemStatsState]);
    }
    const popularity: Ranked[] = [];
    const trending: Ranked[] = [];
    const p = this.params;
    for (const [itemId, s] of stats) {
      if (isExpired(itemStatsView, s, now)) continue;
      const c = content.get(itemId);
      const st = stock.get(itemId);
      const status = st ? readFeatures(itemStockView, st, now, p).stock_status : undefined;
      const recommendable = (!c || (c.available && !c.hidden && !c.discontinued)) && status !== 'out_of_stock';
      const decayedPopularity = decayedAt(s.pop, now, p.popularityHalfLifeMs);
      const base = { itemId, decayedPopularity, categories: c?.categories ?? [], recommendable };
      if (decayedPopularity > 0) popularity.push({ ...base, score: decayedPopularity });
      if (decayedAt(s.short, now, p.trendingShortHalfLifeMs) >= MIN_RECENT_INTEREST) {
        trending.push({ ...base, score: trendingScore(s.short, s.long, now, p) });
      }
    }
    const order = (a: Ranked, b: Ranked) =>
      b.score - a.score || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);
    return {
      computedAt: now,
      popularity: popularity.sort(order),
      trending: trending.sort(order),
      byCategory: { popularity: new Map(), trending: new Map() },
    };
  }
}

/** One category's part of a ranking, in ranking order, built on first use and kept with the ranking. */
function inCategory(ranking: Ranking, metric: TopMetric, category: string): Ranked[] {
  let list = ranking.byCategory[metric].get(category);
  if (!list) {
    list = ranking[metric].filter((x) => x.categories.includes(category));
    ranking.byCategory[metric].set(category, list);
  }
  return list;
}

import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ClientGrpcProxy, ClientProxyFactory } from '@nestjs/microservices';
import { commonV1, featureStoreV1 } from '@app/contracts';
import { fromTimestamp, grpcClientOptions } from '@app/contracts/grpc';
import { APP_CONFIG } from '@app/platform/config';
import { Breaker, CircuitBreakers, unaryCall } from '@app/platform/resilience';
import type { ItemInfo } from '../domain/item-info';
import type { RecommendationConfig } from '../recommendation.config';

export interface Degradation {
  readonly component: string;
  readonly reason: string;
}

/** A value and, when it came from stale data or not at all, why. */
export interface Fetched<T> {
  readonly value: T;
  readonly degradation?: Degradation;
}

export interface UserContext {
  readonly known: boolean;
  /** Newest first. */
  readonly recent: readonly { itemId: string; type: string; at: number }[];
  readonly purchased: ReadonlySet<string>;
  readonly consent: 'granted' | 'denied' | 'unknown';
  readonly topCategories: readonly string[];
}

export const EMPTY_USER: UserContext = {
  known: false,
  recent: [],
  purchased: new Set(),
  consent: 'unknown',
  topCategories: [],
};

export interface Neighbour {
  readonly itemId: string;
  readonly score: number;
}

interface Cached<T> {
  value: T;
  at: number;
}

const COMPONENT = 'feature-store';
const ITEM_BATCH = 1000;
const MAX_CACHED_ITEMS = 200_000;
/** Popular/trending lists are fetched 64, 128, … 1,000 long (the feature store gives at most 1,000). */
const MIN_TOP_LENGTH = 64;
const MAX_TOP_LENGTH = 1000;

function reasonOf(err: unknown, breaker: Breaker<never[], unknown>): string {
  if (breaker.state === 'open') return 'circuit open';
  const message = err instanceof Error ? err.message : String(err);
  return /timeout|did not answer|Timed out/i.test(message) ? 'timeout' : 'unavailable';
}

export function itemInfoFromProto(i: featureStoreV1.ItemFeatures): ItemInfo {
  const stock: ItemInfo['stock'] =
    i.stockStatus === featureStoreV1.StockStatus.IN_STOCK
      ? 'in_stock'
      : i.stockStatus === featureStoreV1.StockStatus.LOW_STOCK
        ? 'low_stock'
        : i.stockStatus === featureStoreV1.StockStatus.OUT_OF_STOCK
          ? 'out_of_stock'
          : 'unknown';
  return {
    itemId: i.itemId,
    known: i.known,
    title: i.title || i.itemId,
    categories: i.categories ?? [],
    brand: i.brand ?? '',
    priceMinor: i.price ? Number(i.price.amountMinor) : undefined,
    currency: i.price?.currencyCode || undefined,
    sellable: i.known ? i.available && !i.hidden : true,
    stock,
  };
}

/**
 * The feature store as serving sees it: every call behind a circuit breaker and a short deadline, and
 * every answer remembered, so that when the store is slow or down the last known data is served (and
 * the answer says it is degraded) rather than an error.
 */
@Injectable()
export class FeatureStoreClient implements OnApplicationShutdown {
  private readonly client: ClientGrpcProxy;
  private readonly service: featureStoreV1.FeatureStoreServiceClient;
  private readonly online: Breaker<[featureStoreV1.GetOnlineFeaturesRequest], featureStoreV1.GetOnlineFeaturesResponse>;
  private readonly neighboursCall: Breaker<
    [featureStoreV1.GetItemNeighboursRequest],
    featureStoreV1.GetItemNeighboursResponse
  >;
  private readonly topCall: Breaker<[featureStoreV1.GetTopItemsRequest], featureStoreV1.GetTopItemsResponse>;
  private readonly items = new Map<string, Cached<ItemInfo>>();
  private readonly users = new Map<string, Cached<UserContext>>();
  private readonly tops = new Map<string, Cached<{ itemId: string; score: number }[]>>();
  private readonly refreshingItems = new Set<string>();
  private readonly topFlights = new Map<string, Promise<Fetched<{ itemId: string; score: number }[]>>>();
  private readonly neighbourCache = new Map<string, Cached<Neighbour[]>>();
  private readonly itemTtlMs: number;
  private readonly topTtlMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: RecommendationConfig,
    breakers: CircuitBreakers,
  ) {
    this.client = ClientProxyFactory.create(
      grpcClientOptions('feature-store', config.FEATURE_STORE_GRPC_URL),
    ) as ClientGrpcProxy;
    this.service = this.client.getService<featureStoreV1.FeatureStoreServiceClient>(
      featureStoreV1.FEATURE_STORE_SERVICE_NAME,
    );
    const timeoutMs = config.RECOMMENDATION_FEATURE_TIMEOUT_MS;
    const opts = { timeoutMs: timeoutMs + 50, resetTimeoutMs: 5000, volumeThreshold: 5 };
    const call =
      <Req, Res>(fn: (r: Req, md: import('@grpc/grpc-js').Metadata) => import('rxjs').Observable<Res>) =>
      (r: Req) =>
        unaryCall((md) => fn(r, md), { timeoutMs, target: COMPONENT });
    this.online = breakers.create(
      'feature-store.online',
      call((r, md) => this.service.getOnlineFeatures(r, md)),
      opts,
    );
    this.neighboursCall = breakers.create(
      'feature-store.neighbours',
      call((r, md) => this.service.getItemNeighbours(r, md)),
      opts,
    );
    this.topCall = breakers.create(
      'feature-store.top-items',
      call((r, md) => this.service.getTopItems(r, md)),
      opts,
    );
    this.itemTtlMs = config.RECOMMENDATION_ITEM_CACHE_TTL_SECONDS * 1000;
    this.topTtlMs = config.RECOMMENDATION_TOP_ITEMS_TTL_SECONDS * 1000;
  }

  onApplicationShutdown(): void {
    this.client.close();
  }

  /** A user's recent history, purchases, consent and affinities; the last known ones when the store is down. */
  async user(userId: string, historyLimit = 20): Promise<Fetched<UserContext>> {
    try {
      const res = await this.online.fire({ userId, itemIds: [], historyLimit });
      const u = res.user;
      const value: UserContext = u
        ? {
            known: u.known,
            recent: (u.recentInteractions ?? []).map((e) => ({
              itemId: e.itemId,
              type: String(e.type).replace('INTERACTION_TYPE_', '').toLowerCase(),
              at: e.occurredAt ? fromTimestamp(e.occurredAt).getTime() : 0,
            })),
            purchased: new Set(u.purchasedItemIds ?? []),
            consent:
              u.personalisationConsent === commonV1.ConsentState.GRANTED
                ? 'granted'
                : u.personalisationConsent === commonV1.ConsentState.DENIED
                  ? 'denied'
                  : 'unknown',
            topCategories: (u.categoryAffinities ?? []).map((a) => a.category),
          }
        : EMPTY_USER;
      this.remember(this.users, userId, value, 50_000);
      return { value };
    } catch (err) {
      const stale = this.users.get(userId)?.value;
      return {
        value: stale ?? EMPTY_USER,
        degradation: {
          component: COMPONENT,
          reason: `${reasonOf(err, this.online as never)}${stale ? ', last known history used' : ''}`,
        },
      };
    }
  }

  /** Item features, cached for RECOMMENDATION_ITEM_CACHE_TTL_SECONDS; stale ones are used when the store is down. */
  async itemInfos(itemIds: readonly string[]): Promise<Fetched<Map<string, ItemInfo>>> {
    const now = Date.now();
    const out = new Map<string, ItemInfo>();
    const missing: string[] = [];
    const stale: string[] = [];
    for (const id of new Set(itemIds)) {
      const c = this.items.get(id);
      if (!c) missing.push(id);
      else {
        out.set(id, c.value);
        if (now - c.at > this.itemTtlMs && !this.refreshingItems.has(id)) stale.push(id);
      }
    }
    // Known items past their TTL are served as they are and refreshed in the background: only items
    // never seen make a request wait.
    if (stale.length > 0) void this.refreshItems(stale);
    if (missing.length === 0) return { value: out };
    try {
      for (const info of await this.fetchItems(missing)) out.set(info.itemId, info);
      return { value: out };
    } catch (err) {
      return {
        value: out,
        degradation: { component: COMPONENT, reason: `${reasonOf(err, this.online as never)}, item data may be stale` },
      };
    }
  }

  private async fetchItems(ids: readonly string[]): Promise<ItemInfo[]> {
    const infos: ItemInfo[] = [];
    for (let i = 0; i < ids.length; i += ITEM_BATCH) {
      const res = await this.online.fire({ userId: '', itemIds: ids.slice(i, i + ITEM_BATCH), historyLimit: 0 });
      for (const f of res.items ?? []) {
        const info = itemInfoFromProto(f);
        infos.push(info);
        this.remember(this.items, info.itemId, info, MAX_CACHED_ITEMS);
      }
    }
    return infos;
  }

  private async refreshItems(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.refreshingItems.add(id);
    try {
      await this.fetchItems(ids);
    } catch {
      // The breaker counted it; the next request past the TTL tries again.
    } finally {
      for (const id of ids) this.refreshingItems.delete(id);
    }
  }

  /** Popular or trending items (sellable ones), overall or in a category; cached briefly, stale when the store is down. */
  async top(
    metric: 'popularity' | 'trending',
    category: string | undefined,
    limit: number,
  ): Promise<Fetched<{ itemId: string; score: number }[]>> {
    // Lists are fetched in a few fixed lengths, so requests asking for slightly different lengths (their
    // exclusions differ) share one cached list, and concurrent misses share one call.
    const length = Math.min(MAX_TOP_LENGTH, Math.max(MIN_TOP_LENGTH, 2 ** Math.ceil(Math.log2(Math.max(1, limit)))));
    const key = `${metric}\u001f${category ?? ''}\u001f${length}`;
    const cached = this.tops.get(key);
    if (cached && Date.now() - cached.at < this.topTtlMs) return { value: cached.value.slice(0, limit) };
    let flight = this.topFlights.get(key);
    if (!flight) {
      flight = this.fetchTop(metric, category, length, key, cached?.value).finally(() => this.topFlights.delete(key));
      this.topFlights.set(key, flight);
    }
    const fetched = await flight;
    return { ...fetched, value: fetched.value.slice(0, limit) };
  }

  private async fetchTop(
    metric: 'popularity' | 'trending',
    category: string | undefined,
    length: number,
    key: string,
    lastKnown: { itemId: string; score: number }[] | undefined,
  ): Promise<Fetched<{ itemId: string; score: number }[]>> {
    try {
      const res = await this.topCall.fire({
        metric:
          metric === 'trending' ? featureStoreV1.TopItemsMetric.TRENDING : featureStoreV1.TopItemsMetric.POPULARITY,
        category: category ?? '',
        limit: length,
        includeUnavailable: false,
      });
      const value = (res.items ?? []).map((i) => ({ itemId: i.itemId, score: i.score }));
      this.remember(this.tops, key, value, 10_000);
      return { value };
    } catch (err) {
      return {
        value: lastKnown ?? [],
        degradation: {
          component: COMPONENT,
          reason: `${reasonOf(err, this.topCall as never)}${lastKnown ? ', last known list used' : ''}`,
        },
      };
    }
  }

  /** Co-view or co-purchase neighbours of some items. */
  async neighbours(
    itemIds: readonly string[],
    kind: 'co_view' | 'co_purchase',
    limit: number,
  ): Promise<Fetched<Map<string, Neighbour[]>>> {
    const out = new Map<string, Neighbour[]>();
    const missing: string[] = [];
    const now = Date.now();
    for (const id of new Set(itemIds)) {
      const c = this.neighbourCache.get(`${kind}\u001f${id}\u001f${limit}`);
      if (c) out.set(id, c.value);
      if (!c || now - c.at > this.itemTtlMs) missing.push(id);
    }
    if (missing.length === 0) return { value: out };
    try {
      const res = await this.neighboursCall.fire({
        itemIds: missing,
        kinds: [kind === 'co_view' ? featureStoreV1.NeighbourKind.CO_VIEW : featureStoreV1.NeighbourKind.CO_PURCHASE],
        limit,
      });
      for (const n of res.neighbours ?? []) {
        const list = (n.neighbours ?? []).map((x) => ({ itemId: x.itemId, score: x.score }));
        out.set(n.itemId, list);
        this.remember(this.neighbourCache, `${kind}\u001f${n.itemId}\u001f${limit}`, list, MAX_CACHED_ITEMS);
      }
      return { value: out };
    } catch (err) {
      return { value: out, degradation: { component: COMPONENT, reason: reasonOf(err, this.neighboursCall as never) } };
    }
  }

  /** Drops what is remembered of a user (they just acted). */
  forgetUser(userId: string): void {
    this.users.delete(userId);
  }

  private remember<T>(map: Map<string, Cached<T>>, key: string, value: T, max: number): void {
    map.delete(key);
    map.set(key, { value, at: Date.now() });
    if (map.size > max) map.delete(map.keys().next().value as string);
  }
}

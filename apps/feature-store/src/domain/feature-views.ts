import { addDecayed, Decayed, decayedAt, emptyDecayed } from './decay';
import { Fact, INTERACTION_TYPES, InteractionFact, InteractionTypeName } from './facts';

/*
 * The feature views, declared once. Each is a fold over facts: the online path applies every new fact
 * to the stored state as it arrives; the historical path folds an entity's facts up to a row's time
 * with the very same `apply`, then reads the features with the very same `value`.
 */

export type EntityKindName = 'user' | 'item' | 'session' | 'user_item';
export type FeatureValueTypeName = 'double' | 'int64' | 'string' | 'bool' | 'string_list' | 'double_list' | 'timestamp';
/** A feature value; timestamps are epoch milliseconds, the definition's type says which is which. */
export type FeatureValue = number | string | boolean | readonly string[] | readonly number[];

export interface FeatureParams {
  readonly popularityHalfLifeMs: number;
  readonly trendingShortHalfLifeMs: number;
  readonly trendingLongHalfLifeMs: number;
  readonly affinityHalfLifeMs: number;
  /** Units on hand at or below which an item counts as low stock. */
  readonly lowStockUnits: number;
}

export const DEFAULT_FEATURE_PARAMS: FeatureParams = {
  popularityHalfLifeMs: 7 * 24 * 3_600_000,
  trendingShortHalfLifeMs: 24 * 3_600_000,
  trendingLongHalfLifeMs: 14 * 24 * 3_600_000,
  affinityHalfLifeMs: 30 * 24 * 3_600_000,
  lowStockUnits: 5,
};

export interface ViewContext {
  readonly params: FeatureParams;
  /** The item's categories as known when the fact is applied (online) or at the row's time (historical). */
  categoriesOf(itemId: string): readonly string[];
}

export interface FeatureDefinition<S> {
  readonly name: string;
  readonly valueType: FeatureValueTypeName;
  readonly description: string;
  /** The value at `now`; undefined when the state holds none. */
  value(state: S, now: number, params: FeatureParams): FeatureValue | undefined;
}

/** Every state records the time of the newest fact folded in: the TTL runs from there. */
export interface ViewState {
  at: number;
}

export interface FeatureView<S extends ViewState = ViewState> {
  readonly name: string;
  readonly entity: EntityKindName;
  /** Values older than this (since the newest fact) are expired; 0 keeps them forever. */
  readonly ttlSeconds: number;
  readonly description: string;
  /** Which facts feed the view. */
  readonly source: Fact['kind'];
  /**
   * Kept up to date in the online store. Views nobody reads online (a session's or a user x item pair's)
   * are served by the historical path only, folded from the log when asked: half the writes per event.
   */
  readonly online: boolean;
  /** The entity keys a fact updates (none when it does not concern the view). */
  keysOf(f: Fact): readonly string[];
  initial(): S;
  /** Folds a fact into the state in place; false when it changed nothing. */
  apply(state: S, f: Fact, ctx: ViewContext): boolean;
  readonly features: readonly FeatureDefinition<S>[];
}

/** How strongly each interaction type signals interest (popularity, trending, affinities). */
export const INTEREST_WEIGHTS: Readonly<Record<InteractionTypeName, number>> = {
  view: 1,
  click: 1,
  add_to_cart: 3,
  remove_from_cart: 0,
  purchase: 5,
  rating: 0, // by value, see interestWeight
  impression: 0,
};

export function interestWeight(f: InteractionFact): number {
  if (f.type === 'rating') return (f.rating ?? 0) >= 4 ? 3 : (f.rating ?? 0) === 3 ? 1 : 0;
  return INTEREST_WEIGHTS[f.type];
}

/** Key of a (user, item) pair. */
export function userItemKey(userId: string, itemId: string): string {
  return `${userId}\u001f${itemId}`;
}

export function isExpired(view: FeatureView, state: ViewState, now: number): boolean {
  return view.ttlSeconds > 0 && now - state.at > view.ttlSeconds * 1000;
}

/** Short-half-life rate over long-half-life rate, both smoothed by one long-window event. */
export function trendingScore(short: Decayed, long: Decayed, now: number, p: FeatureParams): number {
  const ln2 = Math.LN2;
  const prior = ln2 / p.trendingLongHalfLifeMs;
  const shortRate = (decayedAt(short, now, p.trendingShortHalfLifeMs) * ln2) / p.trendingShortHalfLifeMs;
  const longRate = (decayedAt(long, now, p.trendingLongHalfLifeMs) * ln2) / p.trendingLongHalfLifeMs;
  return (shortRate + prior) / (longRate + prior);
}

type Counts = Partial<Record<InteractionTypeName, number>>;

function bump(counts: Counts, type: InteractionTypeName): void {
  counts[type] = (counts[type] ?? 0) + 1;
}

function total(counts: Counts): number {
  let n = 0;
  for (const t of INTERACTION_TYPES) n += counts[t] ?? 0;
  return n;
}

function countFeatures<S extends { counts: Counts }>(what: string): FeatureDefinition<S>[] {
  return INTERACTION_TYPES.map((type) => ({
    name: `${type}_count`,
    valueType: 'int64' as const,
    description: `${type} interactions ${what}, all time`,
    value: (s: S) => s.counts[type] ?? 0,
  }));
}

const RECENT_ITEMS = 20;
const MAX_CATEGORIES = 64;
const TOP_CATEGORIES = 10;

/** Newest first by time, then stream order; at most `limit`. */
function pushRecent(recent: [number, string][], at: number, itemId: string, limit: number): void {
  let i = 0;
  while (i < recent.length && recent[i][0] >= at) i++;
  if (i >= limit) return;
  recent.splice(i, 0, [at, itemId]);
  if (recent.length > limit) recent.length = limit;
}

const DAY_S = 24 * 3600;

/** Attributes as "key=value" strings, by key. */
function keyValues(attributes: Record<string, string>): string[] {
  return Object.keys(attributes)
    .sort()
    .map((k) => `${k}=${attributes[k]}`);
}

// ---------------------------------------------------------------------------------------------

export interface UserActivityState extends ViewState {
  counts: Counts;
  cats: Record<string, Decayed>;
  recent: [number, string][];
}

function categoryShares(s: UserActivityState, now: number, p: FeatureParams): [string, number][] {
  const scored = Object.entries(s.cats).map(
    ([c, d]) => [c, decayedAt(d, now, p.affinityHalfLifeMs)] as [string, number],
  );
  const sum = scored.reduce((a, [, v]) => a + v, 0);
  if (sum <= 0) return [];
  return scored
    .map(([c, v]) => [c, v / sum] as [string, number])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP_CATEGORIES);
}

export const userActivityView: FeatureView<UserActivityState> = {
  name: 'user_activity',
  entity: 'user',
  online: true,
  ttlSeconds: 180 * DAY_S,
  description: "A known user's interactions: counts, recency, recent items and category affinities.",
  source: 'interaction',
  keysOf: (f) => (f.kind === 'interaction' && f.userId ? [f.userId] : []),
  initial: () => ({ at: 0, counts: {}, cats: {}, recent: [] }),
  apply(s, f, ctx) {
    if (f.kind !== 'interaction') return false;
    bump(s.counts, f.type);
    s.at = Math.max(s.at, f.at);
    const w = interestWeight(f);
    if (w > 0) {
      pushRecent(s.recent, f.at, f.itemId, RECENT_ITEMS);
      for (const c of ctx.categoriesOf(f.itemId)) {
        addDecayed((s.cats[c] ??= emptyDecayed()), w, f.at, ctx.params.affinityHalfLifeMs);
      }
      const names = Object.keys(s.cats);
      if (names.length > MAX_CATEGORIES) {
        // Forget the weakest (as of this fact), so the state stays small.
        names.sort((a, b) => decayedAt(s.cats[a], f.at, 1) - decayedAt(s.cats[b], f.at, 1));
        for (const c of names.slice(0, names.length - MAX_CATEGORIES)) delete s.cats[c];
      }
    }
    return true;
  },
  features: [
    ...countFeatures<UserActivityState>('by the user'),
    {
      name: 'interaction_count',
      valueType: 'int64',
      description: 'Interactions of every type, all time',
      value: (s) => total(s.counts),
    },
    {
      name: 'last_active_at',
      valueType: 'timestamp',
      description: 'Time of the newest interaction',
      value: (s) => s.at,
    },
    {
      name: 'recent_item_ids',
      valueType: 'string_list',
      description: `Items of the ${RECENT_ITEMS} newest interest-bearing interactions, newest first`,
      value: (s) => s.recent.map(([, id]) => id),
    },
    {
      name: 'top_categories',
      valueType: 'string_list',
      description: `Up to ${TOP_CATEGORIES} categories by time-decayed interest share, strongest first`,
      value: (s, now, p) => categoryShares(s, now, p).map(([c]) => c),
    },
    {
      name: 'category_scores',
      valueType: 'double_list',
      description: 'Decayed interest share (0 to 1) of each of top_categories, same order',
      value: (s, now, p) => categoryShares(s, now, p).map(([, v]) => v),
    },
  ],
};

// ---------------------------------------------------------------------------------------------

export interface SessionActivityState extends ViewState {
  n: number;
  recent: [number, string][];
}

export const sessionActivityView: FeatureView<SessionActivityState> = {
  name: 'session_activity',
  entity: 'session',
  online: false,
  ttlSeconds: DAY_S,
  description: 'An anonymous or known session: size, recency and recent items (for session-based recommendations).',
  source: 'interaction',
  keysOf: (f) => (f.kind === 'interaction' && f.sessionId ? [f.sessionId] : []),
  initial: () => ({ at: 0, n: 0, recent: [] }),
  apply(s, f) {
    if (f.kind !== 'interaction') return false;
    s.n++;
    s.at = Math.max(s.at, f.at);
    if (interestWeight(f) > 0) pushRecent(s.recent, f.at, f.itemId, RECENT_ITEMS);
    return true;
  },
  features: [
    { name: 'interaction_count', valueType: 'int64', description: 'Interactions in the session', value: (s) => s.n },
    {
      name: 'last_active_at',
      valueType: 'timestamp',
      description: 'Time of the newest interaction',
      value: (s) => s.at,
    },
    {
      name: 'recent_item_ids',
      valueType: 'string_list',
      description: `Items of the ${RECENT_ITEMS} newest interest-bearing interactions, newest first`,
      value: (s) => s.recent.map(([, id]) => id),
    },
  ],
};

// ---------------------------------------------------------------------------------------------

export interface ItemStatsState extends ViewState {
  counts: Counts;
  pop: Decayed;
  short: Decayed;
  long: Decayed;
}

export const itemStatsView: FeatureView<ItemStatsState> = {
  name: 'item_stats',
  entity: 'item',
  online: true,
  ttlSeconds: 90 * DAY_S,
  description: 'How shoppers treat an item: counts, decayed popularity, trend and conversion.',
  source: 'interaction',
  keysOf: (f) => (f.kind === 'interaction' ? [f.itemId] : []),
  initial: () => ({ at: 0, counts: {}, pop: emptyDecayed(), short: emptyDecayed(), long: emptyDecayed() }),
  apply(s, f, ctx) {
    if (f.kind !== 'interaction') return false;
    bump(s.counts, f.type);
    s.at = Math.max(s.at, f.at);
    const w = interestWeight(f);
    const p = ctx.params;
    addDecayed(s.pop, w, f.at, p.popularityHalfLifeMs);
    addDecayed(s.short, w, f.at, p.trendingShortHalfLifeMs);
    addDecayed(s.long, w, f.at, p.trendingLongHalfLifeMs);
    return true;
  },
  features: [
    ...countFeatures<ItemStatsState>('on the item'),
    {
      name: 'interaction_count',
      valueType: 'int64',
      description: 'Interactions of every type, all time',
      value: (s) => total(s.counts),
    },
    {
      name: 'decayed_popularity',
      valueType: 'double',
      description: 'Interest-weighted interactions, each halved every popularity half-life',
      value: (s, now, p) => decayedAt(s.pop, now, p.popularityHalfLifeMs),
    },
    {
      name: 'trending_score',
      valueType: 'double',
      description: 'Recent (short half-life) interest rate over the baseline (long half-life); above 1 = rising',
      value: (s, now, p) => trendingScore(s.short, s.long, now, p),
    },
    {
      name: 'conversion_rate',
      valueType: 'double',
      description: 'Purchases per view, 0 to 1 (0 before the first view)',
      value: (s) => {
        const views = s.counts.view ?? 0;
        return views === 0 ? 0 : Math.min(1, (s.counts.purchase ?? 0) / views);
      },
    },
    {
      name: 'last_interaction_at',
      valueType: 'timestamp',
      description: 'Time of the newest interaction',
      value: (s) => s.at,
    },
  ],
};

// ---------------------------------------------------------------------------------------------

export interface UserItemState extends ViewState {
  counts: Counts;
  rating?: number;
}

export const userItemView: FeatureView<UserItemState> = {
  name: 'user_item',
  entity: 'user_item',
  online: false,
  ttlSeconds: 365 * DAY_S,
  description: "One known user's history with one item.",
  source: 'interaction',
  keysOf: (f) => (f.kind === 'interaction' && f.userId ? [userItemKey(f.userId, f.itemId)] : []),
  initial: () => ({ at: 0, counts: {} }),
  apply(s, f) {
    if (f.kind !== 'interaction') return false;
    bump(s.counts, f.type);
    if (f.type === 'rating' && f.rating !== undefined && f.at >= s.at) s.rating = f.rating;
    s.at = Math.max(s.at, f.at);
    return true;
  },
  features: [
    ...countFeatures<UserItemState>('of the user on the item'),
    {
      name: 'purchased',
      valueType: 'bool',
      description: 'The user has bought the item',
      value: (s) => (s.counts.purchase ?? 0) > 0,
    },
    { name: 'last_rating', valueType: 'int64', description: 'Newest rating, 1 to 5', value: (s) => s.rating },
    {
      name: 'last_interaction_at',
      valueType: 'timestamp',
      description: 'Time of the newest interaction',
      value: (s) => s.at,
    },
  ],
};

// ---------------------------------------------------------------------------------------------

export interface ItemContentState extends ViewState {
  title: string;
  categories: string[];
  brand?: string;
  priceMinor?: number;
  currency?: string;
  attributes: Record<string, string>;
  available: boolean;
  hidden: boolean;
  discontinued: boolean;
}

/** Catalogue views keep the newest version by its own time; an older version arriving late changes nothing. */
export const itemContentView: FeatureView<ItemContentState> = {
  name: 'item_content',
  entity: 'item',
  online: true,
  ttlSeconds: 0,
  description: 'Catalogue data of an item (newest version by its update time).',
  source: 'item',
  keysOf: (f) => (f.kind === 'item' ? [f.itemId] : []),
  initial: () => ({
    at: -1,
    title: '',
    categories: [],
    attributes: {},
    available: true,
    hidden: false,
    discontinued: false,
  }),
  apply(s, f) {
    if (f.kind !== 'item' || f.at < s.at) return false;
    s.at = f.at;
    s.title = f.title;
    s.categories = [...f.categories];
    s.brand = f.brand;
    s.priceMinor = f.priceMinor;
    s.currency = f.currency;
    s.attributes = { ...f.attributes };
    s.available = f.available;
    s.hidden = f.hidden;
    s.discontinued = f.discontinued;
    return true;
  },
  features: [
    { name: 'title', valueType: 'string', description: 'Title', value: (s) => s.title },
    {
      name: 'categories',
      valueType: 'string_list',
      description: 'Categories, most general first',
      value: (s) => s.categories,
    },
    { name: 'brand', valueType: 'string', description: 'Brand', value: (s) => s.brand },
    {
      name: 'price_minor',
      valueType: 'int64',
      description: 'Net selling price in minor units of currency',
      value: (s) => s.priceMinor,
    },
    { name: 'currency', valueType: 'string', description: 'ISO-4217 currency of the price', value: (s) => s.currency },
    {
      name: 'attributes',
      valueType: 'string_list',
      description: 'Content attributes as "key=value", by key',
      value: (s) => keyValues(s.attributes),
    },
    { name: 'available', valueType: 'bool', description: 'Can be bought', value: (s) => s.available },
    { name: 'hidden', valueType: 'bool', description: 'Never recommended', value: (s) => s.hidden },
    { name: 'discontinued', valueType: 'bool', description: 'End of line', value: (s) => s.discontinued },
  ],
};

// ---------------------------------------------------------------------------------------------

export interface ItemStockState extends ViewState {
  stores: Record<string, { onHand: number; at: number }>;
}

export type StockStatusName = 'in_stock' | 'low_stock' | 'out_of_stock';

function onHand(s: ItemStockState): number {
  return Object.values(s.stores).reduce((a, x) => a + Math.max(0, x.onHand), 0);
}

export function stockStatus(units: number, p: FeatureParams): StockStatusName {
  return units <= 0 ? 'out_of_stock' : units <= p.lowStockUnits ? 'low_stock' : 'in_stock';
}

export const itemStockView: FeatureView<ItemStockState> = {
  name: 'item_stock',
  entity: 'item',
  online: true,
  ttlSeconds: 7 * DAY_S,
  description: 'Units on hand summed over stores, from stock positions (newest per store).',
  source: 'stock',
  keysOf: (f) => (f.kind === 'stock' ? [f.itemId] : []),
  initial: () => ({ at: 0, stores: {} }),
  apply(s, f) {
    if (f.kind !== 'stock') return false;
    const cur = s.stores[f.storeId];
    if (cur && f.at < cur.at) return false;
    s.stores[f.storeId] = { onHand: f.onHand, at: f.at };
    s.at = Math.max(s.at, f.at);
    return true;
  },
  features: [
    { name: 'on_hand', valueType: 'int64', description: 'Units on hand over all stores', value: (s) => onHand(s) },
    {
      name: 'stock_status',
      valueType: 'string',
      description: 'in_stock, low_stock (at or below the low-stock threshold) or out_of_stock',
      value: (s, _now, p) => stockStatus(onHand(s), p),
    },
    {
      name: 'store_count',
      valueType: 'int64',
      description: 'Stores reporting stock',
      value: (s) => Object.keys(s.stores).length,
    },
  ],
};

// ---------------------------------------------------------------------------------------------

export interface UserProfileState extends ViewState {
  consent: boolean;
  attributes: Record<string, string>;
}

export const userProfileView: FeatureView<UserProfileState> = {
  name: 'user_profile',
  entity: 'user',
  online: true,
  ttlSeconds: 0,
  description: 'Profile of a known user (newest version by its update time), including consent.',
  source: 'user',
  keysOf: (f) => (f.kind === 'user' ? [f.userId] : []),
  initial: () => ({ at: -1, consent: false, attributes: {} }),
  apply(s, f) {
    if (f.kind !== 'user' || f.at < s.at) return false;
    s.at = f.at;
    s.consent = f.personalisationConsent;
    s.attributes = { ...f.attributes };
    return true;
  },
  features: [
    {
      name: 'personalisation_consent',
      valueType: 'bool',
      description: 'The user consents to personalisation',
      value: (s) => s.consent,
    },
    {
      name: 'attributes',
      valueType: 'string_list',
      description: 'Profile attributes as "key=value", by key',
      value: (s) => keyValues(s.attributes),
    },
  ],
};

// ---------------------------------------------------------------------------------------------

export const FEATURE_VIEWS: readonly FeatureView[] = [
  userActivityView,
  userProfileView,
  sessionActivityView,
  userItemView,
  itemStatsView,
  itemContentView,
  itemStockView,
] as unknown as readonly FeatureView[];

export const VIEWS_BY_NAME: ReadonlyMap<string, FeatureView> = new Map(FEATURE_VIEWS.map((v) => [v.name, v]));

/** "<view>:<feature>" → its view and definition; undefined for an unknown reference. */
export function resolveFeature(ref: string): { view: FeatureView; feature: FeatureDefinition<ViewState> } | undefined {
  const i = ref.indexOf(':');
  if (i < 0) return undefined;
  const view = VIEWS_BY_NAME.get(ref.slice(0, i));
  const feature = view?.features.find((f) => f.name === ref.slice(i + 1));
  return view && feature ? { view, feature: feature as FeatureDefinition<ViewState> } : undefined;
}

/** Folds facts (in the given order) into a fresh state of the view. */
export function foldFacts<S extends ViewState>(view: FeatureView<S>, facts: Iterable<Fact>, ctx: ViewContext): S {
  const state = view.initial();
  for (const f of facts) view.apply(state, f, ctx);
  return state;
}

/** Every feature of a view at `now`, or undefined values when the state has expired. */
export function readFeatures(
  view: FeatureView,
  state: ViewState | undefined,
  now: number,
  params: FeatureParams,
): Record<string, FeatureValue | undefined> {
  const out: Record<string, FeatureValue | undefined> = {};
  const live = state && !isExpired(view, state, now);
  for (const f of view.features) out[f.name] = live ? f.value(state, now, params) : undefined;
  return out;
}

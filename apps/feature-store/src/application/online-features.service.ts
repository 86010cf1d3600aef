import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { ValidationError } from '@app/platform/errors';
import {
  CO_KINDS,
  CoKind,
  FeatureParams,
  FeatureValue,
  InteractionFact,
  InteractionTypeName,
  INTERACTION_TYPES,
  itemContentView,
  itemStatsView,
  itemStockView,
  neighbourScore,
  readFeatures,
  userActivityView,
  userProfileView,
  VIEWS_BY_NAME,
  ViewState,
} from '../domain';
import { featureParams, FeatureStoreConfig } from '../feature-store.config';
import { Clock } from '../infra/clock';
import { FeatureRepository } from '../infra/feature.repository';

export const MAX_ITEMS_PER_READ = 1000;
export const MAX_HISTORY = 1000;

export type Features = Record<string, FeatureValue | undefined>;

export interface UserRead {
  userId: string;
  known: boolean;
  recent: InteractionFact[];
  activity: Features;
  profile: Features;
  purchased: string[];
}

export interface ItemRead {
  itemId: string;
  known: boolean;
  stats: Features;
  content: Features;
  stock: Features;
  /** Newest fact behind any of the item's views (epoch ms), 0 when unknown. */
  updatedAt: number;
}

export interface OnlineRead {
  user?: UserRead;
  items: ItemRead[];
  readAt: number;
}

export interface HistoryRead {
  subject: { userId: string } | { sessionId: string };
  entries: InteractionFact[];
  truncated: boolean;
}

export interface NeighbourRead {
  itemId: string;
  kind: CoKind;
  neighbours: { itemId: string; score: number; support: number }[];
}

/** How many neighbours by support are scored before the top `limit` by score are kept. */
const NEIGHBOUR_CANDIDATES_FACTOR = 5;

function requireIds(field: string, ids: readonly string[], max: number): void {
  if (ids.length > max) throw new ValidationError([{ field, message: `at most ${max} per call, got ${ids.length}` }]);
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || id.trim() === '')
      throw new ValidationError([{ field: `${field}[${i}]`, message: 'must not be empty' }]);
  });
}

function boundedLimit(field: string, value: number | undefined, def: number, max: number): number {
  if (value === undefined || value === 0) return def;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError([{ field, message: `must be an integer from 1 to ${max}` }]);
  }
  return value;
}

/** Online reads: the latest feature values, batched, one user and many items at a time. */
@Injectable()
export class OnlineFeaturesService {
  private readonly params: FeatureParams;

  constructor(
    private readonly repo: FeatureRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: FeatureStoreConfig,
  ) {
    this.params = featureParams(config);
  }

  async online(r: { userId?: string; itemIds: readonly string[]; historyLimit?: number }): Promise<OnlineRead> {
    requireIds('item_ids', r.itemIds, MAX_ITEMS_PER_READ);
    const limit = boundedLimit('history_limit', r.historyLimit, 50, MAX_HISTORY);
    const userId = r.userId?.trim() || undefined;
    const views: string[] = [];
    const entities: string[] = [];
    const want = (view: string, entity: string) => {
      views.push(view);
      entities.push(entity);
    };
    if (userId) {
      want(userActivityView.name, userId);
      want(userProfileView.name, userId);
    }
    for (const id of r.itemIds) for (const v of [itemStatsView, itemContentView, itemStockView]) want(v.name, id);
    const { states: rows, history, purchased } = await this.repo.onlineRead(views, entities, userId, limit);
    const now = this.clock.now();
    const states = new Map(rows.map((s) => [`${s.view}\u001f${s.entity}`, s.state]));
    const read = (view: string, entity: string) => {
      const state = states.get(`${view}\u001f${entity}`);
      return { state, features: readFeatures(VIEWS_BY_NAME.get(view)!, state, now, this.params) };
    };
    let user: UserRead | undefined;
    if (userId) {
      const activity = read(userActivityView.name, userId);
      const profile = read(userProfileView.name, userId);
      const recent = history;
      user = {
        userId,
        known: !!activity.state || !!profile.state || recent.length > 0,
        recent,
        activity: activity.features,
        profile: profile.features,
        purchased,
      };
    }
    return {
      user,
      items: r.itemIds.map((itemId) => {
        const parts = [itemStatsView, itemContentView, itemStockView].map((v) => read(v.name, itemId));
        const known = parts.some((p) => p.state !== undefined);
        return {
          itemId,
          known,
          stats: parts[0].features,
          content: parts[1].features,
          stock: parts[2].features,
          updatedAt: Math.max(0, ...parts.map((p) => (p.state as ViewState | undefined)?.at ?? 0)),
        };
      }),
      readAt: now,
    };
  }

  async history(r: {
    userIds: readonly string[];
    sessionIds: readonly string[];
    limit?: number;
    types: readonly InteractionTypeName[];
    since?: Date;
  }): Promise<HistoryRead[]> {
    requireIds('user_ids', r.userIds, MAX_ITEMS_PER_READ);
    requireIds('session_ids', r.sessionIds, MAX_ITEMS_PER_READ);
    const limit = boundedLimit('limit', r.limit, 100, MAX_HISTORY);
    const [users, sessions] = await Promise.all([
      r.userIds.length
        ? this.repo.history({ column: 'user_id', ids: r.userIds, limit: limit + 1, types: r.types, since: r.since })
        : new Map(),
      r.sessionIds.length
        ? this.repo.history({
            column: 'session_id',
            ids: r.sessionIds,
            limit: limit + 1,
            types: r.types,
            since: r.since,
          })
        : new Map(),
    ]);
    const one = (entries: InteractionFact[] = []) => ({
      entries: entries.slice(0, limit),
      truncated: entries.length > limit,
    });
    return [
      ...r.userIds.map((userId) => ({ subject: { userId }, ...one(users.get(userId)) })),
      ...r.sessionIds.map((sessionId) => ({ subject: { sessionId }, ...one(sessions.get(sessionId)) })),
    ];
  }

  async neighbours(r: {
    itemIds: readonly string[];
    kinds: readonly CoKind[];
    limit?: number;
  }): Promise<NeighbourRead[]> {
    requireIds('item_ids', r.itemIds, MAX_ITEMS_PER_READ);
    const limit = boundedLimit('limit', r.limit, 20, 200);
    const kinds = r.kinds.length ? [...new Set(r.kinds)] : [...CO_KINDS];
    const rows = await this.repo.neighbours(r.itemIds, kinds, limit * NEIGHBOUR_CANDIDATES_FACTOR);
    const grouped = new Map<string, NeighbourRead['neighbours']>();
    for (const row of rows) {
      const key = `${row.itemId}\u001f${row.kind}`;
      let list = grouped.get(key);
      if (!list) grouped.set(key, (list = []));
      list.push({
        itemId: row.neighbourId,
        support: row.support,
        score: neighbourScore(row.support, row.basketsA, row.basketsB),
      });
    }
    const out: NeighbourRead[] = [];
    for (const itemId of r.itemIds) {
      for (const kind of kinds) {
        const list = (grouped.get(`${itemId}\u001f${kind}`) ?? [])
          .sort((a, b) => b.score - a.score || b.support - a.support || a.itemId.localeCompare(b.itemId))
          .slice(0, limit);
        out.push({ itemId, kind, neighbours: list });
      }
    }
    return out;
  }
}

/** Per-type counts as a list, from a view's `<type>_count` features (types with none left out). */
export function countsOf(features: Features): { type: InteractionTypeName; count: number }[] {
  return INTERACTION_TYPES.flatMap((type) => {
    const n = features[`${type}_count`];
    return typeof n === 'number' && n > 0 ? [{ type, count: n }] : [];
  });
}

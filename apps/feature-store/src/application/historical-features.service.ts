import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform/config';
import { ValidationError } from '@app/platform/errors';
import {
  Fact,
  FeatureDefinition,
  FeatureParams,
  FeatureValue,
  FeatureValueTypeName,
  FeatureView,
  isExpired,
  resolveFeature,
  userItemKey,
  ViewContext,
  ViewState,
} from '../domain';
import { featureParams, FeatureStoreConfig } from '../feature-store.config';
import { FeatureRepository } from '../infra/feature.repository';

export const MAX_HISTORICAL_ROWS = 10_000;

export interface EntityRowRequest {
  userId?: string;
  itemId?: string;
  sessionId?: string;
  eventTime?: Date;
}

export interface HistoricalValue {
  valueType: FeatureValueTypeName;
  value?: FeatureValue;
  /** Time of the newest fact behind the value (epoch ms). */
  observedAt?: number;
}

export type HistoricalRow = Record<string, HistoricalValue>;

const SEP = '\u001f';

/**
 * Point-in-time reads: for each (entity, time) row, each feature as it was just before that time —
 * the view's own fold over the entity's facts that happened strictly before it, in time order — and
 * empty when the newest of those facts is older than the view's TTL.
 */
@Injectable()
export class HistoricalFeaturesService {
  private readonly params: FeatureParams;

  constructor(
    private readonly repo: FeatureRepository,
    @Inject(APP_CONFIG) config: FeatureStoreConfig,
  ) {
    this.params = featureParams(config);
  }

  async historical(rows: readonly EntityRowRequest[], refs: readonly string[]): Promise<HistoricalRow[]> {
    const byView = this.validate(rows, refs);
    const out: HistoricalRow[] = rows.map(() => ({}));
    for (const [view, features] of byView) {
      const keyOf = entityKey(view);
      const groups = new Map<string, number[]>();
      rows.forEach((r, i) => {
        const k = keyOf(r)!;
        const g = groups.get(k);
        if (g) g.push(i);
        else groups.set(k, [i]);
      });
      const before = new Date(Math.max(...rows.map((r) => r.eventTime!.getTime())));
      const facts = await this.factsOf(view, [...groups.keys()], before);
      for (const [key, indexes] of groups) {
        const list = facts.get(key) ?? [];
        indexes.sort((a, b) => rows[a].eventTime!.getTime() - rows[b].eventTime!.getTime());
        const categories = new Map<string, { at: number; categories: readonly string[] }>();
        const ctx: ViewContext = { params: this.params, categoriesOf: (id) => categories.get(id)?.categories ?? [] };
        let state: ViewState | undefined;
        let next = 0;
        for (const i of indexes) {
          const t = rows[i].eventTime!.getTime();
          for (; next < list.length && list[next].at < t; next++) {
            const f = list[next];
            if (f.kind === 'item' && view.source !== 'item') {
              const cur = categories.get(f.itemId);
              if (!cur || f.at >= cur.at) categories.set(f.itemId, { at: f.at, categories: f.categories });
              continue;
            }
            if (view.keysOf(f).includes(key)) view.apply((state ??= view.initial()), f, ctx);
          }
          const live = state !== undefined && !isExpired(view, state, t);
          for (const feature of features) {
            out[i][`${view.name}:${feature.name}`] = {
              valueType: feature.valueType,
              value: live ? feature.value(state!, t, this.params) : undefined,
              observedAt: live ? state!.at : undefined,
            };
          }
        }
      }
    }
    return out;
  }

  /** Each entity's facts before a time, sorted by (time, stream sequence); items' versions mixed in for affinities. */
  private async factsOf(view: FeatureView, keys: string[], before: Date): Promise<Map<string, Fact[]>> {
    const db = this.repo.dataSource;
    let facts: Fact[];
    let group: (f: Fact) => string | undefined;
    switch (view.entity) {
      case 'user':
        facts = await this.repo.factsFor(db, view.source, 'user_id', keys, before);
        group = (f) => (f.kind === 'interaction' || f.kind === 'user' ? f.userId : undefined);
        break;
      case 'session':
        facts = await this.repo.factsFor(db, view.source, 'session_id', keys, before);
        group = (f) => (f.kind === 'interaction' ? f.sessionId : undefined);
        break;
      case 'item':
        facts = await this.repo.factsFor(db, view.source, 'item_id', keys, before);
        group = (f) => (f.kind === 'interaction' || f.kind === 'item' || f.kind === 'stock' ? f.itemId : undefined);
        break;
      case 'user_item': {
        const users = [...new Set(keys.map((k) => k.split(SEP)[0]))];
        facts = await this.repo.factsFor(db, view.source, 'user_id', users, before);
        group = (f) => (f.kind === 'interaction' && f.userId ? userItemKey(f.userId, f.itemId) : undefined);
        break;
      }
    }
    const out = new Map<string, Fact[]>();
    const add = (k: string, f: Fact) => {
      const list = out.get(k);
      if (list) list.push(f);
      else out.set(k, [f]);
    };
    for (const f of facts) {
      const k = group(f);
      if (k !== undefined) add(k, f);
    }
    if (view.name === 'user_activity') {
      // Category affinities need each item's categories as they were when the interaction happened.
      const items = [...new Set(facts.flatMap((f) => (f.kind === 'interaction' ? [f.itemId] : [])))];
      const versions = await this.repo.itemVersions(db, items, before);
      for (const [k, list] of out) {
        const mine = new Set(list.flatMap((f) => (f.kind === 'interaction' ? [f.itemId] : [])));
        for (const v of versions) if (mine.has(v.itemId)) list.push(v);
        out.set(k, list);
      }
    }
    for (const list of out.values()) list.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return out;
  }

  private validate(
    rows: readonly EntityRowRequest[],
    refs: readonly string[],
  ): Map<FeatureView, FeatureDefinition<ViewState>[]> {
    const violations: { field: string; message: string }[] = [];
    if (rows.length === 0) violations.push({ field: 'rows', message: 'must not be empty' });
    if (rows.length > MAX_HISTORICAL_ROWS) {
      violations.push({ field: 'rows', message: `at most ${MAX_HISTORICAL_ROWS} per call, got ${rows.length}` });
    }
    if (refs.length === 0) violations.push({ field: 'features', message: 'must not be empty' });
    const byView = new Map<FeatureView, FeatureDefinition<ViewState>[]>();
    refs.forEach((ref, i) => {
      const resolved = resolveFeature(ref);
      if (!resolved) {
        violations.push({ field: `features[${i}]`, message: `unknown feature "${ref}" (expected "<view>:<feature>")` });
        return;
      }
      const list = byView.get(resolved.view) ?? [];
      if (!list.includes(resolved.feature)) list.push(resolved.feature);
      byView.set(resolved.view, list);
    });
    rows.slice(0, MAX_HISTORICAL_ROWS).forEach((r, i) => {
      if (!r.eventTime) violations.push({ field: `rows[${i}].event_time`, message: 'is required' });
      for (const view of byView.keys()) {
        if (entityKey(view)(r) === undefined) {
          violations.push({
            field: `rows[${i}].${ENTITY_FIELDS[view.entity]}`,
            message: `is required by ${view.name}`,
          });
        }
      }
    });
    if (violations.length) throw new ValidationError(violations.slice(0, 50));
    return byView;
  }
}

const ENTITY_FIELDS = { user: 'user_id', item: 'item_id', session: 'session_id', user_item: 'user_id and item_id' };

function entityKey(view: FeatureView): (r: EntityRowRequest) => string | undefined {
  const v = (s?: string) => (s && s.trim() ? s : undefined);
  switch (view.entity) {
    case 'user':
      return (r) => v(r.userId);
    case 'item':
      return (r) => v(r.itemId);
    case 'session':
      return (r) => v(r.sessionId);
    case 'user_item':
      return (r) => (v(r.userId) && v(r.itemId) ? userItemKey(r.userId!, r.itemId!) : undefined);
  }
}

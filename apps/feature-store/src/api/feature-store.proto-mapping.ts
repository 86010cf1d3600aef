import { commonV1, featureStoreV1 } from '@app/contracts';
import { fromTimestamp, toTimestamp } from '@app/contracts/grpc';
import { ValidationError } from '@app/platform/errors';
import {
  CoKind,
  EntityKindName,
  FEATURE_VIEWS,
  FeatureValue,
  FeatureValueTypeName,
  INTERACTION_TYPES,
  InteractionFact,
  InteractionTypeName,
  ItemFact,
  StockStatusName,
} from '../domain';
import type { HistoricalRow } from '../application/historical-features.service';
import {
  countsOf,
  Features,
  HistoryRead,
  ItemRead,
  NeighbourRead,
  UserRead,
} from '../application/online-features.service';
import type { TrainingPart } from '../application/training-set.service';

const PREFIX = 'INTERACTION_TYPE_';

export function typeToProto(t: InteractionTypeName): commonV1.InteractionType {
  return `${PREFIX}${t.toUpperCase()}` as commonV1.InteractionType;
}

/** A proto enum name (or its short form, for REST) as a type; throws naming the field. */
export function typeFromProto(value: string | undefined, field: string): InteractionTypeName {
  const short = String(value ?? '')
    .replace(PREFIX, '')
    .toLowerCase();
  if (!(INTERACTION_TYPES as readonly string[]).includes(short)) {
    throw new ValidationError([{ field, message: `must be one of ${INTERACTION_TYPES.join(', ')}` }]);
  }
  return short as InteractionTypeName;
}

export function neighbourKindFromProto(value: string, field: string): CoKind {
  const short = String(value).replace('NEIGHBOUR_KIND_', '').toLowerCase();
  if (short === 'co_view' || short === 'co_purchase') return short;
  throw new ValidationError([{ field, message: 'must be CO_VIEW or CO_PURCHASE' }]);
}

export function optionalTime(
  ts: { seconds?: number; nanos?: number } | null | undefined,
  field: string,
): Date | undefined {
  if (!ts) return undefined;
  try {
    return fromTimestamp(ts as never);
  } catch (err) {
    throw new ValidationError([{ field, message: (err as Error).message }]);
  }
}

function historyEntry(f: InteractionFact): featureStoreV1.HistoryEntry {
  return {
    itemId: f.itemId,
    type: typeToProto(f.type),
    occurredAt: toTimestamp(f.at),
    quantity: f.quantity,
    rating: f.rating,
  };
}

function num(v: FeatureValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
function strings(v: FeatureValue | undefined): string[] {
  return Array.isArray(v) ? (v as string[]) : [];
}

function countsToProto(features: Features): featureStoreV1.InteractionCount[] {
  return countsOf(features).map((c) => ({ type: typeToProto(c.type), count: c.count }));
}

export function userToProto(u: UserRead): featureStoreV1.UserFeatures {
  const cats = strings(u.activity.top_categories);
  const scores = (u.activity.category_scores as number[] | undefined) ?? [];
  const consent = u.profile.personalisation_consent;
  const last = num(u.activity.last_active_at);
  return {
    userId: u.userId,
    known: u.known,
    recentInteractions: u.recent.map(historyEntry),
    interactionCounts: countsToProto(u.activity),
    categoryAffinities: cats.map((category, i) => ({ category, score: scores[i] ?? 0 })),
    lastActiveAt: last ? toTimestamp(last) : undefined,
    personalisationConsent:
      consent === true
        ? commonV1.ConsentState.GRANTED
        : consent === false
          ? commonV1.ConsentState.DENIED
          : commonV1.ConsentState.UNSPECIFIED,
    purchasedItemIds: u.purchased,
  };
}

const STOCK: Record<StockStatusName, featureStoreV1.StockStatus> = {
  in_stock: featureStoreV1.StockStatus.IN_STOCK,
  low_stock: featureStoreV1.StockStatus.LOW_STOCK,
  out_of_stock: featureStoreV1.StockStatus.OUT_OF_STOCK,
};

export function itemToProto(i: ItemRead): featureStoreV1.ItemFeatures {
  const c = i.content;
  const priceMinor = num(c.price_minor);
  const attributes: Record<string, string> = {};
  for (const kv of strings(c.attributes)) {
    const at = kv.indexOf('=');
    attributes[kv.slice(0, at)] = kv.slice(at + 1);
  }
  return {
    itemId: i.itemId,
    known: i.known,
    title: typeof c.title === 'string' ? c.title : '',
    interactionCounts: countsToProto(i.stats),
    decayedPopularity: num(i.stats.decayed_popularity) ?? 0,
    trendingScore: num(i.stats.trending_score) ?? 0,
    conversionRate: num(i.stats.conversion_rate) ?? 0,
    price:
      priceMinor !== undefined && typeof c.currency === 'string'
        ? { amountMinor: priceMinor, currencyCode: c.currency }
        : undefined,
    available: c.available !== false && c.discontinued !== true,
    hidden: c.hidden === true,
    stockStatus: STOCK[i.stock.stock_status as StockStatusName] ?? featureStoreV1.StockStatus.UNSPECIFIED,
    onHand: num(i.stock.on_hand) ?? 0,
    categories: strings(c.categories),
    brand: typeof c.brand === 'string' ? c.brand : '',
    attributes,
    updatedAt: i.updatedAt > 0 ? toTimestamp(i.updatedAt) : undefined,
  };
}

export function historyToProto(h: HistoryRead): featureStoreV1.UserHistory {
  return { ...h.subject, entries: h.entries.map(historyEntry), truncated: h.truncated };
}

export function neighboursToProto(n: NeighbourRead): featureStoreV1.ItemNeighbours {
  return {
    itemId: n.itemId,
    kind: n.kind === 'co_view' ? featureStoreV1.NeighbourKind.CO_VIEW : featureStoreV1.NeighbourKind.CO_PURCHASE,
    neighbours: n.neighbours,
  };
}

function itemFactToProto(f: ItemFact): featureStoreV1.TrainingItem {
  return {
    itemId: f.itemId,
    title: f.title,
    description: '',
    categories: [...f.categories],
    brand: f.brand ?? '',
    attributes: { ...f.attributes },
    price:
      f.priceMinor !== undefined && f.currency ? { amountMinor: f.priceMinor, currencyCode: f.currency } : undefined,
  };
}

export function trainingPartToProto(p: TrainingPart): featureStoreV1.StreamTrainingSetResponse {
  if ('header' in p) {
    const h = p.header;
    return {
      header: {
        asOf: toTimestamp(h.asOf),
        windowStart: h.windowStart ? toTimestamp(h.windowStart) : undefined,
        weights: h.weights.map((w) => ({ type: typeToProto(w.type), weight: w.weight })),
        interactionCount: h.interactionCount,
        userCount: h.userCount,
        itemCount: h.itemCount,
        snapshotId: h.snapshotId,
      },
    };
  }
  if ('interactions' in p) {
    return {
      interactions: {
        interactions: p.interactions.map((r) => ({
          userId: r.userId,
          itemId: r.fact.itemId,
          type: typeToProto(r.fact.type),
          weight: r.weight,
          occurredAt: toTimestamp(r.fact.at),
          rating: r.fact.rating,
          quantity: r.fact.quantity,
        })),
        resumeToken: p.resumeToken,
      },
    };
  }
  if ('items' in p) return { items: { items: p.items.map(itemFactToProto) } };
  return { trailer: p.trailer };
}

const VALUE_TYPES: Record<FeatureValueTypeName, featureStoreV1.FeatureValueType> = {
  double: featureStoreV1.FeatureValueType.DOUBLE,
  int64: featureStoreV1.FeatureValueType.INT64,
  string: featureStoreV1.FeatureValueType.STRING,
  bool: featureStoreV1.FeatureValueType.BOOL,
  string_list: featureStoreV1.FeatureValueType.STRING_LIST,
  double_list: featureStoreV1.FeatureValueType.DOUBLE_LIST,
  timestamp: featureStoreV1.FeatureValueType.TIMESTAMP,
};

const ENTITIES: Record<EntityKindName, featureStoreV1.EntityKind> = {
  user: featureStoreV1.EntityKind.USER,
  item: featureStoreV1.EntityKind.ITEM,
  session: featureStoreV1.EntityKind.SESSION,
  user_item: featureStoreV1.EntityKind.USER_ITEM,
};

export function featureValueToProto(
  type: FeatureValueTypeName,
  v: FeatureValue | undefined,
  observedAt?: number,
): featureStoreV1.FeatureValue {
  const out: featureStoreV1.FeatureValue = {
    observedAt: observedAt !== undefined ? toTimestamp(Math.max(0, observedAt)) : undefined,
  };
  if (v === undefined) return out;
  switch (type) {
    case 'double':
      return { ...out, doubleValue: v as number };
    case 'int64':
      return { ...out, int64Value: v as number };
    case 'string':
      return { ...out, stringValue: v as string };
    case 'bool':
      return { ...out, boolValue: v as boolean };
    case 'string_list':
      return { ...out, stringListValue: { values: [...(v as string[])] } };
    case 'double_list':
      return { ...out, doubleListValue: { values: [...(v as number[])] } };
    case 'timestamp':
      return { ...out, timestampValue: toTimestamp(v as number) };
  }
}

export function historicalRowToProto(row: HistoricalRow, rowIndex: number): featureStoreV1.HistoricalFeatureRow {
  const values: Record<string, featureStoreV1.FeatureValue> = {};
  for (const [ref, v] of Object.entries(row)) values[ref] = featureValueToProto(v.valueType, v.value, v.observedAt);
  return { rowIndex, values };
}

export function featureViewsToProto(): featureStoreV1.ListFeatureViewsResponse {
  return {
    views: FEATURE_VIEWS.map((v) => ({
      name: v.name,
      entity: ENTITIES[v.entity],
      ttlSeconds: v.ttlSeconds,
      features: v.features.map((f) => ({
        name: f.name,
        valueType: VALUE_TYPES[f.valueType],
        description: f.description,
      })),
    })),
  };
}

/** The ranking metric (proto enum name, or its short form for REST); unset means popularity. */
export function topMetricFromProto(value: string | undefined): 'popularity' | 'trending' {
  const short = String(value ?? '')
    .replace('TOP_ITEMS_METRIC_', '')
    .toLowerCase();
  if (short === '' || short === 'unspecified' || short === 'popularity') return 'popularity';
  if (short === 'trending') return 'trending';
  throw new ValidationError([{ field: 'metric', message: 'must be POPULARITY or TRENDING' }]);
}

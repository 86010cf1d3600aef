import { commonV1, recommendationV1 } from '@app/contracts';
import { ValidationError } from '@app/platform/errors';
import { FilterSpec } from '../domain/item-info';
import type { SourceName } from '../domain/serving.types';
import type { ServedAnswer, ServedItem } from '../application/recommend.service';

const SOURCES: Record<SourceName, recommendationV1.RecommendationSource> = {
  personalised: recommendationV1.RecommendationSource.PERSONALISED,
  session_item_to_item: recommendationV1.RecommendationSource.SESSION_ITEM_TO_ITEM,
  content: recommendationV1.RecommendationSource.CONTENT,
  bought_together: recommendationV1.RecommendationSource.BOUGHT_TOGETHER,
  trending: recommendationV1.RecommendationSource.TRENDING,
  popular: recommendationV1.RecommendationSource.POPULAR,
};

function money(m: commonV1.Money | null | undefined, field: string) {
  if (!m) return undefined;
  const amountMinor = Number(m.amountMinor);
  if (!Number.isInteger(amountMinor) || amountMinor < 0) {
    throw new ValidationError([{ field: `${field}.amount_minor`, message: 'must be a non-negative integer' }]);
  }
  if (!/^[A-Z]{3}$/.test(m.currencyCode ?? '')) {
    throw new ValidationError([{ field: `${field}.currency_code`, message: 'must be an ISO-4217 code such as EUR' }]);
  }
  return { amountMinor, currency: m.currencyCode };
}

function strings(field: string, values: readonly string[] | undefined, max = 1000): string[] {
  const list = values ?? [];
  if (list.length > max) throw new ValidationError([{ field, message: `at most ${max} entries` }]);
  list.forEach((v, i) => {
    if (typeof v !== 'string' || !v.trim())
      throw new ValidationError([{ field: `${field}[${i}]`, message: 'must not be empty' }]);
  });
  return list.map((v) => v.trim());
}

export function filtersFromProto(f: recommendationV1.Filters | null | undefined): FilterSpec {
  const minPrice = money(f?.minPrice, 'filters.min_price');
  const maxPrice = money(f?.maxPrice, 'filters.max_price');
  if (minPrice && maxPrice && minPrice.amountMinor > maxPrice.amountMinor) {
    throw new ValidationError([{ field: 'filters.min_price', message: 'must not exceed max_price' }]);
  }
  return {
    includeCategories: strings('filters.include_categories', f?.includeCategories),
    excludeCategories: strings('filters.exclude_categories', f?.excludeCategories),
    excludeItemIds: new Set(strings('filters.exclude_item_ids', f?.excludeItemIds)),
    excludePurchased: f?.excludePurchased ?? true,
    inStockOnly: f?.inStockOnly ?? false,
    minPrice,
    maxPrice,
    includeBrands: strings('filters.include_brands', f?.includeBrands),
  };
}

export function itemToProto(i: ServedItem): recommendationV1.RecommendedItem {
  return {
    itemId: i.itemId,
    score: i.score,
    source: SOURCES[i.source],
    modelId: i.modelId ?? '',
    explanation: i.explanation
      ? {
          kind: `EXPLANATION_KIND_${i.explanation.kind.toUpperCase()}` as recommendationV1.ExplanationKind,
          text: i.explanation.text,
          factors: i.explanation.factors.map((f) => ({
            itemId: f.itemId ?? '',
            attribute: f.attribute ?? '',
            weight: f.weight,
          })),
          category: i.explanation.category ?? '',
        }
      : undefined,
  };
}

export function answerToProto(a: ServedAnswer) {
  return {
    recommendationId: a.recommendationId,
    items: a.items.map(itemToProto),
    degraded: a.degradations.length > 0,
    degradations: a.degradations.map((d) => ({ component: d.component, reason: d.reason })),
  };
}

export function sourceToProto(s: SourceName): recommendationV1.RecommendationSource {
  return SOURCES[s];
}

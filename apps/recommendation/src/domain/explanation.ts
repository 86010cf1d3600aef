import type { SourceName } from './serving.types';

export type ExplanationKindName =
  | 'because_you_viewed'
  | 'because_you_bought'
  | 'similar_item'
  | 'bought_together'
  | 'matches_preferences'
  | 'popular'
  | 'trending';

export interface ExplanationFactor {
  readonly itemId?: string;
  readonly attribute?: string;
  readonly weight: number;
}

export interface ServedExplanation {
  readonly kind: ExplanationKindName;
  readonly text: string;
  readonly factors: readonly ExplanationFactor[];
  readonly category?: string;
}

/** Readable reasons, built from the strongest factor. `title` names an item for a shopper. */
export function explain(args: {
  source: SourceName;
  factors: readonly ExplanationFactor[];
  title: (itemId: string) => string;
  purchased: ReadonlySet<string>;
  category?: string;
  anchorItemId?: string;
}): ServedExplanation {
  const { source, factors, title, purchased, category } = args;
  const topItem = factors.find((f) => f.itemId)?.itemId ?? args.anchorItemId;
  const topAttribute = factors.find((f) => f.attribute)?.attribute;
  switch (source) {
    case 'personalised':
    case 'session_item_to_item':
    case 'content':
      if (topItem && purchased.has(topItem)) {
        return { kind: 'because_you_bought', text: `Because you bought ${title(topItem)}`, factors };
      }
      if (topItem) return { kind: 'because_you_viewed', text: `Because you viewed ${title(topItem)}`, factors };
      if (topAttribute) {
        return {
          kind: 'matches_preferences',
          text: `Matches what you like: ${topAttribute.replace('=', ' ')}`,
          factors,
        };
      }
      return { kind: 'matches_preferences', text: 'Picked for you from what you looked at', factors };
    case 'bought_together':
      return {
        kind: 'bought_together',
        text: topItem ? `Often bought together with ${title(topItem)}` : 'Often bought together',
        factors,
      };
    case 'trending':
      return {
        kind: 'trending',
        text: category ? `Trending in ${category} this week` : 'Trending this week',
        factors,
        category,
      };
    case 'popular':
      return { kind: 'popular', text: category ? `Popular in ${category}` : 'Popular right now', factors, category };
  }
}

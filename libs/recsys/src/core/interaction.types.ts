/** One thing a shopper did with an item. Implicit feedback: any interaction is a positive signal of some strength. */
export interface Interaction {
  userId: string;
  itemId: string;
  /** Seconds since the Unix epoch (UTC). Time-decayed models and temporal splits read it. */
  timestamp: number;
  /** Strength of the signal; when absent it comes from `type` through the dataset's type weights, else 1. */
  weight?: number;
  /** Event type, e.g. `view`, `click`, `add-to-cart`, `purchase`, `rating`. */
  type?: string;
}

/** What the content model may read about an item. Every field is optional. */
export interface ItemAttributes {
  itemId: string;
  title?: string;
  description?: string;
  categories?: string[];
  attributes?: Record<string, string | number | boolean>;
}

/**
 * Default strength per event type. A purchase says more than a view; the ratios follow the common practice of
 * Gorse's positive-feedback types and AWS Personalize's EVENT_TYPE weights (order of magnitude, not tuned).
 */
export const DEFAULT_TYPE_WEIGHTS: Readonly<Record<string, number>> = {
  view: 1,
  click: 1,
  'add-to-cart': 3,
  purchase: 5,
  rating: 1,
};

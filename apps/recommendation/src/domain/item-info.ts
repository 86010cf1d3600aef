/** What serving knows of an item (from the feature store): enough to filter, diversify and explain. */
export interface ItemInfo {
  readonly itemId: string;
  readonly known: boolean;
  readonly title: string;
  readonly categories: readonly string[];
  readonly brand: string;
  readonly priceMinor?: number;
  readonly currency?: string;
  /** Can be bought and may be recommended (catalogue flags). */
  readonly sellable: boolean;
  readonly stock: 'unknown' | 'in_stock' | 'low_stock' | 'out_of_stock';
}

/** Request-time business filters (the proto's Filters, resolved). */
export interface FilterSpec {
  readonly includeCategories: readonly string[];
  readonly excludeCategories: readonly string[];
  readonly excludeItemIds: ReadonlySet<string>;
  readonly excludePurchased: boolean;
  readonly inStockOnly: boolean;
  readonly minPrice?: { amountMinor: number; currency: string };
  readonly maxPrice?: { amountMinor: number; currency: string };
  readonly includeBrands: readonly string[];
}

export const NO_FILTERS: FilterSpec = {
  includeCategories: [],
  excludeCategories: [],
  excludeItemIds: new Set(),
  excludePurchased: true,
  inStockOnly: false,
  includeBrands: [],
};

/**
 * Whether an item may be shown. Filters are always honoured: when something a filter needs is unknown
 * (no stock data, no price, no categories), the item is left out rather than risked.
 */
export function passesFilters(item: ItemInfo | undefined, f: FilterSpec, purchased: ReadonlySet<string>): boolean {
  if (!item) return false;
  if (f.excludeItemIds.has(item.itemId)) return false;
  if (f.excludePurchased && purchased.has(item.itemId)) return false;
  // Never recommend what the catalogue says cannot be bought (hidden, unavailable, discontinued).
  if (!item.sellable) return false;
  if (f.inStockOnly && item.stock !== 'in_stock' && item.stock !== 'low_stock') return false;
  if (f.includeCategories.length && !item.categories.some((c) => f.includeCategories.includes(c))) return false;
  if (f.excludeCategories.length && item.categories.some((c) => f.excludeCategories.includes(c))) return false;
  if (f.includeBrands.length && !f.includeBrands.includes(item.brand)) return false;
  if (f.minPrice || f.maxPrice) {
    if (item.priceMinor === undefined) return false;
    if (f.minPrice && (item.currency !== f.minPrice.currency || item.priceMinor < f.minPrice.amountMinor)) return false;
    if (f.maxPrice && (item.currency !== f.maxPrice.currency || item.priceMinor > f.maxPrice.amountMinor)) return false;
  }
  return true;
}

/** Whether a filter needs the item's features at all (otherwise unknown items may pass). */
export function needsItemData(f: FilterSpec): boolean {
  return (
    f.inStockOnly ||
    f.includeCategories.length > 0 ||
    f.excludeCategories.length > 0 ||
    f.includeBrands.length > 0 ||
    f.minPrice !== undefined ||
    f.maxPrice !== undefined
  );
}

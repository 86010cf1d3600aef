import { median, toEpochDay, weekdayOf } from '@app/forecasting';
import { readCsv } from '../../scripts/forecast-eval/csv.reader';

export interface RetailSku {
  code: string;
  description: string;
  /** Median selling price: the only value per unit in the data, used to value stock. */
  price: number;
  /** Net units sold per day from `firstDay`, returns netted, floored at 0. */
  daily: number[];
  /** Every sale line (one per invoice line, quantity > 0), in time order: its day index and its units. */
  orderDays: number[];
  orderSizes: number[];
}

export interface RetailData {
  firstDay: number;
  days: number;
  skus: RetailSku[];
  /** Days with no invoice at all. Saturdays are always closed (structural zeros); other closures are censored. */
  closed: boolean[];
  rowsRead: number;
  rowsUsed: number;
}

/**
 * Product codes start with five digits (e.g. 85123A); everything else is postage (POST, DOT), manual entries (M),
 * fees and charges (BANK CHARGES, AMAZONFEE, C2, D, S, B, CRUK, PADS), gift vouchers and other non-products.
 */
export function isProductCode(code: string): boolean {
  return /^\d{5}/.test(code);
}

/**
 * Daily demand per SKU from the UCI Online Retail file: bad-debt adjustments (invoice "A…") and zero-price rows
 * (stock write-offs, not sales) are dropped; cancellations (invoice "C…", negative quantity) are netted on their day.
 */
export async function loadOnlineRetail(file: string): Promise<RetailData> {
  const bySku = new Map<
    string,
    { description: string; prices: number[]; days: Map<number, number>; lines: [number, number][] }
  >();
  const activeDays = new Set<number>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let rowsRead = 0;
  let rowsUsed = 0;
  for await (const r of readCsv(file)) {
    rowsRead++;
    const code = r.StockCode.trim().toUpperCase();
    const price = Number(r.UnitPrice);
    const quantity = Number(r.Quantity);
    if (!isProductCode(code) || r.InvoiceNo.startsWith('A') || !(price > 0) || !Number.isFinite(quantity)) continue;
    rowsUsed++;
    const day = toEpochDay(r.InvoiceDate.slice(0, 10));
    activeDays.add(day);
    first = Math.min(first, day);
    last = Math.max(last, day);
    let sku = bySku.get(code);
    if (!sku) bySku.set(code, (sku = { description: r.Description, prices: [], days: new Map(), lines: [] }));
    if (quantity > 0) {
      sku.prices.push(price);
      sku.lines.push([day, quantity]);
    }
    sku.days.set(day, (sku.days.get(day) ?? 0) + quantity);
  }
  const days = last - first + 1;
  const skus: RetailSku[] = [];
  for (const [code, s] of bySku) {
    if (s.prices.length === 0) continue;
    const daily = new Array<number>(days).fill(0);
    for (const [d, q] of s.days) daily[d - first] = Math.max(0, q);
    const lines = s.lines.sort((a, b) => a[0] - b[0]);
    skus.push({
      code,
      description: s.description,
      price: median(s.prices),
      daily,
      orderDays: lines.map((l) => l[0] - first),
      orderSizes: lines.map((l) => l[1]),
    });
  }
  const closed = Array.from({ length: days }, (_, i) => !activeDays.has(first + i));
  return { firstDay: first, days, skus: skus.sort((a, b) => a.code.localeCompare(b.code)), closed, rowsRead, rowsUsed };
}

/** Closed days other than Saturdays: holidays, when demand existed but could not be served or recorded. */
export function censoredClosures(data: RetailData): boolean[] {
  return data.closed.map((c, i) => c && weekdayOf(data.firstDay + i) !== 6);
}

import type { Interaction, ItemAttributes } from '../core/interaction.types';
import { RecsysError } from '../core/recsys.errors';
import { readCsvRecords } from './csv.reader';

export interface OnlineRetailData {
  interactions: Interaction[];
  items: ItemAttributes[];
  /** Rows read, and rows dropped per reason, so the cleaning is visible in reports. */
  stats: { rows: number; kept: number; dropped: Record<string, number> };
}

/** UCI product codes are five digits with an optional letter suffix; POST, DOT, M, C2, BANK CHARGES… are not products. */
const PRODUCT_CODE = /^\d{5}[A-Za-z]{0,2}$/;

/**
 * UCI Online Retail (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country) as
 * purchases by known customers: one interaction of weight 1 per invoice line (invoices are baskets; quantity says
 * more about wholesale pack sizes than preference). Dropped: rows without CustomerID, cancellations (InvoiceNo
 * starting with C) and bad-debt adjustments (A), non-positive quantity or price, and non-product stock codes.
 * InvoiceDate is read as UTC. Description (most frequent per code) feeds the content model.
 */
export function parseOnlineRetail(text: string): OnlineRetailData {
  const records = readCsvRecords(text);
  const header = records.next().value;
  const col = (name: string): number => {
    const i = header?.indexOf(name) ?? -1;
    if (i < 0) throw new RecsysError('RECSYS.BAD_DATA', `online retail CSV has no ${name} column`);
    return i;
  };
  const [cInvoice, cCode, cDesc, cQty, cDate, cPrice, cCustomer] = [
    'InvoiceNo',
    'StockCode',
    'Description',
    'Quantity',
    'InvoiceDate',
    'UnitPrice',
    'CustomerID',
  ].map(col);
  const dropped: Record<string, number> = {};
  const drop = (reason: string): void => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
  };
  const interactions: Interaction[] = [];
  const descriptions = new Map<string, Map<string, number>>();
  let rows = 0;
  const seenLines = new Set<string>();
  for (const r of records) {
    rows++;
    const invoice = r[cInvoice] ?? '';
    const code = (r[cCode] ?? '').trim().toUpperCase();
    const customer = (r[cCustomer] ?? '').trim();
    if (customer === '') drop('no customer');
    else if (invoice.startsWith('C')) drop('cancellation');
    else if (invoice.startsWith('A')) drop('adjustment');
    else if (!(Number(r[cQty]) > 0) || !(Number(r[cPrice]) > 0)) drop('non-positive quantity or price');
    else if (!PRODUCT_CODE.test(code)) drop('non-product code');
    else {
      const timestamp = Date.parse(`${(r[cDate] ?? '').replace(' ', 'T')}Z`) / 1000;
      if (!Number.isFinite(timestamp)) {
        drop('bad date');
        continue;
      }
      const line = `${invoice}|${code}`;
      if (seenLines.has(line)) {
        drop('same item twice on one invoice');
        continue;
      }
      seenLines.add(line);
      interactions.push({ userId: customer, itemId: code, timestamp, weight: 1, type: 'purchase' });
      const desc = (r[cDesc] ?? '').trim();
      if (desc) {
        const counts = descriptions.get(code) ?? new Map<string, number>();
        counts.set(desc, (counts.get(desc) ?? 0) + 1);
        descriptions.set(code, counts);
      }
    }
  }
  const items: ItemAttributes[] = [...descriptions].map(([itemId, counts]) => ({
    itemId,
    title: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0],
  }));
  return { interactions, items, stats: { rows, kept: interactions.length, dropped } };
}

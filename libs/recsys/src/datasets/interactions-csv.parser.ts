import type { Interaction } from '../core/interaction.types';
import { RecsysError } from '../core/recsys.errors';
import { readCsvRecords } from './csv.reader';

const ALIASES: Record<'user' | 'item' | 'timestamp' | 'weight' | 'type', string[]> = {
  user: ['user_id', 'userid', 'user', 'customer_id', 'customerid'],
  item: ['item_id', 'itemid', 'item', 'product_id', 'sku'],
  timestamp: ['timestamp', 'time', 'ts', 'event_time', 'date'],
  weight: ['weight', 'value', 'rating', 'quantity'],
  type: ['type', 'event_type', 'event'],
};

/**
 * A generic interactions CSV with a header row. Columns are found by common names (case-insensitive):
 * user (`user_id`, `userId`, `user`…), item (`item_id`, `itemId`, `sku`…), timestamp (Unix seconds, Unix
 * milliseconds, or an ISO-8601 date), optional weight and event type.
 */
export function parseInteractionsCsv(text: string): Interaction[] {
  const records = readCsvRecords(text);
  const first: string[] = records.next().value ?? [];
  const header = first.map((h) => h.trim().toLowerCase());
  const find = (key: keyof typeof ALIASES): number => header.findIndex((h) => ALIASES[key].includes(h));
  const cu = find('user');
  const ci = find('item');
  const ct = find('timestamp');
  const cw = find('weight');
  const cy = find('type');
  const missing = [cu < 0 && 'user', ci < 0 && 'item', ct < 0 && 'timestamp'].filter(Boolean);
  if (missing.length > 0) {
    throw new RecsysError(
      'RECSYS.BAD_DATA',
      `CSV header needs ${missing.join(', ')} column(s); found: ${header.join(', ')} (e.g. user_id,item_id,timestamp[,weight][,type])`,
    );
  }
  const out: Interaction[] = [];
  let line = 1;
  for (const r of records) {
    line++;
    const raw = (r[ct] ?? '').trim();
    let timestamp = Number(raw);
    if (raw === '' || !Number.isFinite(timestamp)) timestamp = Date.parse(raw) / 1000;
    else if (timestamp > 1e11) timestamp /= 1000; // milliseconds
    if (!Number.isFinite(timestamp))
      throw new RecsysError('RECSYS.BAD_DATA', `CSV line ${line}: bad timestamp "${raw}"`);
    const weight = cw >= 0 && r[cw] !== undefined && r[cw] !== '' ? Number(r[cw]) : undefined;
    out.push({
      userId: r[cu],
      itemId: r[ci],
      timestamp,
      ...(weight !== undefined ? { weight } : {}),
      ...(cy >= 0 && r[cy] ? { type: r[cy] } : {}),
    });
  }
  return out;
}

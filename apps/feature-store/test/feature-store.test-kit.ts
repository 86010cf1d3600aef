import { EventSubject } from '@app/contracts/events';
import { JetStreamClient } from '@app/platform/messaging';
import { DataSource } from 'typeorm';
import { eventually } from '@app/testing/app';
import { FeatureRepository } from '../src/infra/feature.repository';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

let counter = 0;

/** A cleaned interaction as ingestion publishes it; override what a test is about. */
export function interaction(overrides: Record<string, unknown> & { at?: number } = {}): Record<string, unknown> {
  counter += 1;
  const { at, ...rest } = overrides;
  const when = new Date(at ?? Date.now() - HOUR).toISOString();
  return {
    eventId: `evt-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    type: 'view',
    userId: 'u1',
    itemId: 'i1',
    occurredAt: when,
    receivedAt: when,
    ...rest,
  };
}

export function item(
  itemId: string,
  overrides: Record<string, unknown> & { at?: number } = {},
): Record<string, unknown> {
  const { at, ...rest } = overrides;
  return {
    itemId,
    title: `Item ${itemId}`,
    categories: ['Home', 'Kitchen'],
    priceMinor: 1999,
    currency: 'GBP',
    updatedAt: new Date(at ?? Date.now() - 30 * DAY).toISOString(),
    ...rest,
  };
}

export type Published = [EventSubject, Record<string, unknown>];

function msgIdOf(subject: EventSubject, p: Record<string, unknown>): string {
  switch (subject) {
    case 'events.v1.interaction':
      return String(p.eventId);
    case 'catalog.v1.item':
      return `item:${p.itemId}:${p.updatedAt}`;
    case 'catalog.v1.user':
      return `user:${p.userId}:${p.updatedAt}`;
    case 'stock.v1.position':
      return `stock:${p.sku}:${p.storeId}:${p.observedAt}`;
    default:
      return `${subject}:${JSON.stringify(p)}`;
  }
}

/** Publishes like ingestion does (msgId = record key); resolves with the last stream sequence. */
export async function publish(bus: JetStreamClient, events: readonly Published[], msgIdSuffix = ''): Promise<number> {
  let last = 0;
  for (const [subject, payload] of events) {
    const ack = await bus.publish(subject, payload, { msgId: msgIdOf(subject, payload) + msgIdSuffix });
    last = Math.max(last, ack.seq);
  }
  return last;
}

/** Waits until both of the store's consumers (features, neighbours) have applied the stream up to `seq`. */
export async function applied(repo: FeatureRepository, durable: string, seq: number): Promise<void> {
  for (const d of [durable, `${durable}-neighbours`]) {
    await eventually(
      () => repo.position(d),
      (p) => (p?.lastSeq ?? 0) >= seq,
      `the feature store's ${d} consumer to apply up to seq ${seq}`,
      20_000,
    );
  }
}

/** Every derived table, ordered, as JSON: equal dumps mean equal state. */
export async function dumpState(ds: DataSource): Promise<Record<string, unknown[]>> {
  const tables: [string, string][] = [
    ['fs_interaction', 'event_id'],
    ['fs_item_version', 'item_id, updated_at'],
    ['fs_user_version', 'user_id, updated_at'],
    ['fs_stock_observation', 'item_id, store_id, observed_at'],
    ['fs_online_state', 'view, entity'],
    ['fs_basket_member', 'kind, basket, item_id'],
    ['fs_item_pair', 'kind, item_a, item_b'],
    ['fs_item_baskets', 'kind, item_id'],
  ];
  const out: Record<string, unknown[]> = {};
  for (const [t, order] of tables) out[t] = await ds.query(`SELECT * FROM ${t} ORDER BY ${order}`);
  return out;
}

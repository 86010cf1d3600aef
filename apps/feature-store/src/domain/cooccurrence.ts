import { InteractionFact } from './facts';

/*
 * Co-view and co-purchase neighbours, maintained incrementally and independent of arrival order.
 * A basket is a session (its id) or, without one, a known user's UTC day. support(a, b) is the number
 * of baskets that contain both a and b; baskets(a) the number containing a. When an item enters a
 * basket for the first time it is paired with every item already in it, so each pair of a basket is
 * counted exactly once whichever event arrives first. Every basket member is stored with its user, so
 * an erasure can take a user's baskets back out exactly.
 */

export type CoKind = 'co_view' | 'co_purchase';
export const CO_KINDS: readonly CoKind[] = ['co_view', 'co_purchase'];

/** Items of one basket that take part in pairs; later items are remembered but not paired (bounds the work). */
export const MAX_PAIRED_ITEMS_PER_BASKET = 50;

const DAY_MS = 86_400_000;

export function coKindOf(f: InteractionFact): CoKind | undefined {
  switch (f.type) {
    case 'view':
    case 'click':
    case 'rating':
      return 'co_view';
    case 'purchase':
      return 'co_purchase';
    default:
      return undefined;
  }
}

export function basketOf(f: InteractionFact): string {
  return f.sessionId ? `s:${f.sessionId}` : `u:${f.userId}:${Math.floor(f.at / DAY_MS)}`;
}

/** One stored basket member. */
export interface BasketMember {
  readonly kind: CoKind;
  readonly basket: string;
  readonly itemId: string;
  readonly userId: string | null;
  /** Takes part in pairs (the basket had fewer than the limit when it entered). */
  readonly paired: boolean;
}

export interface CooccurrenceChanges {
  readonly members: BasketMember[];
  /** "<kind>\u001f<a>\u001f<b>" → support increment (both directions listed). */
  readonly pairs: Map<string, number>;
  /** "<kind>\u001f<item>" → basket-count increment. */
  readonly baskets: Map<string, number>;
}

export function basketKey(kind: CoKind, basket: string): string {
  return `${kind}\u001f${basket}`;
}

/**
 * What new interactions add. `existing` holds the stored members of the baskets they touch (key from
 * basketKey); it is extended in place so that a later fact of the same batch sees earlier ones.
 */
export function planCooccurrence(
  facts: readonly InteractionFact[],
  existing: Map<string, { items: Set<string>; paired: string[] }>,
): CooccurrenceChanges {
  const members: BasketMember[] = [];
  const pairs = new Map<string, number>();
  const baskets = new Map<string, number>();
  for (const f of facts) {
    const kind = coKindOf(f);
    if (!kind) continue;
    const basket = basketOf(f);
    const key = basketKey(kind, basket);
    let b = existing.get(key);
    if (!b) existing.set(key, (b = { items: new Set(), paired: [] }));
    if (b.items.has(f.itemId)) continue;
    b.items.add(f.itemId);
    const paired = b.paired.length < MAX_PAIRED_ITEMS_PER_BASKET;
    members.push({ kind, basket, itemId: f.itemId, userId: f.userId ?? null, paired });
    if (!paired) continue;
    addPairs(kind, f.itemId, b.paired, pairs, baskets, 1);
    b.paired.push(f.itemId);
  }
  return { members, pairs, baskets };
}

/**
 * What removing some members takes back: each removed paired member's basket count and its pairs with
 * every other paired member of its basket (pairs between two removed members once). `members` must
 * hold every member of the baskets concerned.
 */
export function retractMembers(
  members: readonly BasketMember[],
  removed: (m: BasketMember) => boolean,
): Omit<CooccurrenceChanges, 'members'> {
  const pairs = new Map<string, number>();
  const baskets = new Map<string, number>();
  const byBasket = new Map<string, BasketMember[]>();
  for (const m of members) {
    if (!m.paired) continue;
    const key = basketKey(m.kind, m.basket);
    const list = byBasket.get(key);
    if (list) list.push(m);
    else byBasket.set(key, [m]);
  }
  for (const paired of byBasket.values()) {
    const done = new Set<string>();
    for (const r of paired) {
      if (!removed(r)) continue;
      const others = paired.filter((x) => x.itemId !== r.itemId && !done.has(x.itemId)).map((x) => x.itemId);
      addPairs(r.kind, r.itemId, others, pairs, baskets, -1);
      done.add(r.itemId);
    }
  }
  return { pairs, baskets };
}

function addPairs(
  kind: CoKind,
  item: string,
  others: readonly string[],
  pairs: Map<string, number>,
  baskets: Map<string, number>,
  sign: number,
): void {
  const bk = `${kind}\u001f${item}`;
  baskets.set(bk, (baskets.get(bk) ?? 0) + sign);
  for (const other of others) {
    const ab = `${kind}\u001f${item}\u001f${other}`;
    const ba = `${kind}\u001f${other}\u001f${item}`;
    pairs.set(ab, (pairs.get(ab) ?? 0) + sign);
    pairs.set(ba, (pairs.get(ba) ?? 0) + sign);
  }
}

/** Association score: cosine of the two items' basket vectors. */
export function neighbourScore(support: number, basketsA: number, basketsB: number): number {
  return basketsA > 0 && basketsB > 0 ? support / Math.sqrt(basketsA * basketsB) : 0;
}

import { BasketMember, basketKey, MAX_PAIRED_ITEMS_PER_BASKET, planCooccurrence, retractMembers } from './cooccurrence';
import { InteractionFact } from './facts';

let seq = 0;
const fact = (userId: string, sessionId: string | undefined, itemId: string, type: InteractionFact['type'] = 'view') =>
  ({
    kind: 'interaction',
    seq: ++seq,
    eventId: `e${seq}`,
    userId,
    sessionId,
    itemId,
    type,
    at: 1_000,
    quantity: 1,
  }) as InteractionFact;

type Existing = Map<string, { items: Set<string>; paired: string[] }>;

/** Applies facts in the given batches the way the store does, and returns the resulting tables. */
function run(batches: InteractionFact[][]) {
  const members: BasketMember[] = [];
  const pairs = new Map<string, number>();
  const baskets = new Map<string, number>();
  for (const batch of batches) {
    const existing: Existing = new Map();
    for (const m of members) {
      const k = basketKey(m.kind, m.basket);
      const b = existing.get(k) ?? { items: new Set<string>(), paired: [] };
      b.items.add(m.itemId);
      if (m.paired) b.paired.push(m.itemId);
      existing.set(k, b);
    }
    const c = planCooccurrence(batch, existing);
    members.push(...c.members);
    for (const [k, n] of c.pairs) pairs.set(k, (pairs.get(k) ?? 0) + n);
    for (const [k, n] of c.baskets) baskets.set(k, (baskets.get(k) ?? 0) + n);
  }
  return { members, pairs, baskets };
}

const sorted = (m: Map<string, number>) => [...m.entries()].filter(([, n]) => n !== 0).sort();

describe('co-occurrence', () => {
  const facts = [
    fact('u1', 's1', 'a'),
    fact('u1', 's1', 'b'),
    fact('u1', 's1', 'a'),
    fact('u1', 's1', 'c'),
    fact('u2', 's2', 'a'),
    fact('u2', 's2', 'b'),
    fact('u2', undefined, 'a', 'purchase'),
    fact('u2', undefined, 'b', 'purchase'),
    fact('u2', undefined, 'c', 'add_to_cart'),
  ];

  it('counts each pair once per basket, whatever the order and batching', () => {
    const once = run([facts]);
    expect(once.pairs.get('co_view\u001fa\u001fb')).toBe(2);
    expect(once.pairs.get('co_view\u001fb\u001fa')).toBe(2);
    expect(once.pairs.get('co_view\u001fa\u001fc')).toBe(1);
    expect(once.pairs.get('co_purchase\u001fa\u001fb')).toBe(1);
    expect(once.baskets.get('co_view\u001fa')).toBe(2);
    expect(once.pairs.has('co_view\u001fa\u001fa')).toBe(false);
    const shuffled = run([
      [facts[5], facts[3]],
      [facts[8], facts[0], facts[7]],
      [facts[2], facts[6], facts[1], facts[4]],
    ]);
    expect(sorted(shuffled.pairs)).toEqual(sorted(once.pairs));
    expect(sorted(shuffled.baskets)).toEqual(sorted(once.baskets));
  });

  it('takes back exactly what a removed user contributed', () => {
    const all = run([facts]);
    const without = run([facts.filter((f) => f.userId !== 'u1')]);
    const taken = retractMembers(all.members, (m) => m.userId === 'u1');
    const pairs = new Map(all.pairs);
    for (const [k, n] of taken.pairs) pairs.set(k, (pairs.get(k) ?? 0) + n);
    const baskets = new Map(all.baskets);
    for (const [k, n] of taken.baskets) baskets.set(k, (baskets.get(k) ?? 0) + n);
    expect(sorted(pairs)).toEqual(sorted(without.pairs));
    expect(sorted(baskets)).toEqual(sorted(without.baskets));
  });

  it(`pairs at most ${MAX_PAIRED_ITEMS_PER_BASKET} items of one basket`, () => {
    const big = Array.from({ length: MAX_PAIRED_ITEMS_PER_BASKET + 10 }, (_, i) => fact('u', 's', `i${i}`));
    const r = run([big]);
    expect(r.members).toHaveLength(big.length);
    expect(r.members.filter((m) => m.paired)).toHaveLength(MAX_PAIRED_ITEMS_PER_BASKET);
    const n = MAX_PAIRED_ITEMS_PER_BASKET;
    expect([...r.pairs.values()].reduce((a, b) => a + b, 0)).toBe(n * (n - 1));
  });
});

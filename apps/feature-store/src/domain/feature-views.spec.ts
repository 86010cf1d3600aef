import { Fact, InteractionFact } from './facts';
import {
  DEFAULT_FEATURE_PARAMS,
  FEATURE_VIEWS,
  foldFacts,
  itemContentView,
  itemStatsView,
  itemStockView,
  readFeatures,
  resolveFeature,
  ViewContext,
  ViewState,
} from './feature-views';

const H = 3_600_000;
const DAY = 24 * H;
const ctx: ViewContext = { params: DEFAULT_FEATURE_PARAMS, categoriesOf: (id) => (id === 'a' ? ['Home'] : ['Garden']) };

let seq = 0;
const hit = (itemId: string, at: number, type: InteractionFact['type'] = 'view', userId = 'u1'): InteractionFact => ({
  kind: 'interaction',
  seq: ++seq,
  eventId: `e${seq}`,
  userId,
  sessionId: 's1',
  itemId,
  type,
  at,
  quantity: 1,
});

describe('feature views', () => {
  const facts: Fact[] = [
    hit('a', 0),
    hit('b', 2 * H),
    hit('a', 1 * H, 'purchase'),
    hit('a', 30 * DAY, 'add_to_cart', 'u2'),
    { kind: 'stock', seq: ++seq, itemId: 'a', storeId: 'A', at: 10 * H, onHand: 4, onOrder: 0 },
    { kind: 'stock', seq: ++seq, itemId: 'a', storeId: 'A', at: 5 * H, onHand: 100, onOrder: 0 },
  ];

  it('gives the online path (batches, stored as JSON in between) the same state as one fold', () => {
    for (const view of FEATURE_VIEWS) {
      const keys = new Set(facts.flatMap((f) => view.keysOf(f)));
      for (const key of keys) {
        const mine = facts.filter((f) => view.keysOf(f).includes(key));
        let state: ViewState = view.initial();
        for (const f of mine) {
          view.apply(state, f, ctx);
          state = JSON.parse(JSON.stringify(state)) as ViewState;
        }
        expect({ view: view.name, key, state }).toEqual({ view: view.name, key, state: foldFacts(view, mine, ctx) });
      }
    }
  });

  it('computes item statistics: counts, conversion, decay and a trend above 1 for a fresh burst', () => {
    const s = foldFacts(
      itemStatsView,
      facts.filter((f) => itemStatsView.keysOf(f).includes('a')),
      ctx,
    );
    const now = 30 * DAY;
    const v = readFeatures(itemStatsView, s, now, DEFAULT_FEATURE_PARAMS);
    expect(v).toMatchObject({ view_count: 1, purchase_count: 1, add_to_cart_count: 1, conversion_rate: 1 });
    const decay = (age: number) => Math.pow(2, -age / (7 * DAY));
    expect(v.decayed_popularity).toBeCloseTo(3 + decay(30 * DAY) + 5 * decay(30 * DAY - H), 9);
    expect(v.trending_score as number).toBeGreaterThan(1);
    // After the TTL (90 days after the newest fact) every value is gone.
    expect(readFeatures(itemStatsView, s, now + 91 * DAY, DEFAULT_FEATURE_PARAMS).view_count).toBeUndefined();
  });

  it('keeps the newest catalogue version and the newest stock per store, by their own times', () => {
    const content = foldFacts(
      itemContentView,
      [
        {
          kind: 'item',
          seq: 1,
          itemId: 'a',
          at: 10,
          title: 'new',
          categories: [],
          attributes: {},
          available: true,
          hidden: false,
          discontinued: false,
        },
        {
          kind: 'item',
          seq: 2,
          itemId: 'a',
          at: 5,
          title: 'old',
          categories: [],
          attributes: {},
          available: true,
          hidden: false,
          discontinued: false,
        },
      ],
      ctx,
    );
    expect(content.title).toBe('new');
    const stock = foldFacts(
      itemStockView,
      facts.filter((f) => f.kind === 'stock'),
      ctx,
    );
    expect(readFeatures(itemStockView, stock, 11 * H, DEFAULT_FEATURE_PARAMS)).toMatchObject({
      on_hand: 4,
      stock_status: 'low_stock',
    });
  });

  it('resolves "<view>:<feature>" references and nothing else', () => {
    expect(resolveFeature('item_stats:trending_score')?.feature.valueType).toBe('double');
    expect(resolveFeature('item_stats:nope')).toBeUndefined();
    expect(resolveFeature('trending_score')).toBeUndefined();
  });
});

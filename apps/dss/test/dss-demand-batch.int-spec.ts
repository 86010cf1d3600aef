import { startTestApp, TestApp } from '@app/testing/app';
import { DataSource } from 'typeorm';
import { DssModule } from '../src/dss.module';
import { DemandRepository, pairKey, SkuStore } from '../src/infra/demand.repository';

/** The computation reads demand for a whole batch in one query: the same rows as per pair, day by day. */
describe('DemandRepository.dailyDemandOfPairs (real PostgreSQL)', () => {
  let t: TestApp;
  let ds: DataSource;
  let repo: DemandRepository;
  const from = '2026-01-01';
  const to = '2026-03-31';

  beforeAll(async () => {
    t = await startTestApp('dss', (env) => DssModule.register({ env }), { DSS_RECOMPUTE_INTERVAL_MINUTES: '0' });
    ds = t.app.app.get(DataSource);
    repo = t.app.app.get(DemandRepository);
    const sale = (sku: string, store: string, day: string, sold: number, returned = 0) =>
      ds.query(
        `INSERT INTO daily_sales (sku, store_id, day, units_sold, units_returned, revenue_minor, lines)
         VALUES ($1, $2, $3, $4, $5, 0, 1)`,
        [sku, store, day, sold, returned],
      );
    const stock = (sku: string, store: string, day: string, min: number) =>
      ds.query(
        `INSERT INTO daily_stock (sku, store_id, day, closing_on_hand, min_on_hand, observed_at)
         VALUES ($1, $2, $3, $4, $4, $3::date + interval '20 hours')`,
        [sku, store, day, min],
      );
    // Sold before and in the window, with returns, a stock-out without sales and one with, a day back in stock.
    await sale('A', 'S1', '2025-11-03', 4);
    await sale('A', 'S1', '2026-01-05', 3, 1);
    await sale('A', 'S1', '2026-02-28', 2, 5);
    await sale('A', 'S1', '2026-03-31', 6);
    await stock('A', 'S1', '2026-01-06', 0);
    await stock('A', 'S1', '2026-02-28', 0);
    await stock('A', 'S1', '2026-03-01', 4);
    // First sale inside the window; the same SKU at another store; a stock-out before the first sale.
    await sale('A', 'S2', '2026-02-10', 1);
    await stock('A', 'S2', '2026-02-01', 0);
    // Sold only before the window: a window of zeros. Only after it: nothing. Stock but no sales: nothing.
    await sale('B', 'S1', '2025-12-31', 9);
    await sale('C', 'S1', '2026-04-01', 2);
    await stock('D', 'S1', '2026-01-10', 0);
    // A stock-out outside the window.
    await sale('E', 'S1', '2026-01-01', 1);
    await stock('E', 'S1', '2025-12-31', 0);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('gives each pair the rows the per-pair query gives, zero days and stock-outs included', async () => {
    const pairs: SkuStore[] = ['A@S1', 'A@S2', 'B@S1', 'C@S1', 'D@S1', 'E@S1', 'Z@S9'].map((p) => {
      const [sku, storeId] = p.split('@');
      return { sku, storeId };
    });
    const batch = await repo.dailyDemandOfPairs(pairs, from, to);
    const expected = new Map<string, unknown>();
    for (const p of pairs) {
      const first = await repo.firstSaleDay(p.sku, p.storeId);
      if (!first || first > to) continue;
      expected.set(pairKey(p), await repo.dailyDemand(p.sku, p.storeId, first > from ? first : from, to));
    }
    expect([...batch.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, rows] of expected) expect(batch.get(key)).toEqual(rows);
    const a = batch.get(pairKey({ sku: 'A', storeId: 'S1' }))!;
    expect(a).toHaveLength(90);
    expect(a.filter((r) => r.units !== 0 || r.censored)).toEqual([
      { day: '2026-01-05', units: 2, censored: false },
      { day: '2026-01-06', units: 0, censored: true },
      { day: '2026-02-28', units: -3, censored: true },
      { day: '2026-03-31', units: 6, censored: false },
    ]);
    expect(batch.get(pairKey({ sku: 'A', storeId: 'S2' }))?.[0]).toEqual({
      day: '2026-02-10',
      units: 1,
      censored: false,
    });
  });
});

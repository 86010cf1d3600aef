import { startTestApp } from '@app/testing/app';
import { cpus, loadavg } from 'node:os';
import { DataSource } from 'typeorm';
import { formatTable } from '../../scripts/forecast-eval/table.format';
import { SuggestionComputationService } from '../../apps/dss/src/application/suggestion-computation.service';
import { DssModule } from '../../apps/dss/src/dss.module';
import { numberArg, parseArgs, writeResult } from './bench.util';

/**
 * A suggestion run through the DSS service: boots it in-process (fresh test database, real PostgreSQL and NATS),
 * seeds N SKUs with two years of daily sales (two thirds smooth daily sellers, one third intermittent; a few
 * stock-out days), stock positions for all and supply parameters for half, then computes every suggestion and
 * reports where the time went.
 * Run: npm run build && node dist/bench/dss/service-run.bench.js [--skus 10000] [--workers auto|n] [--batch 100]
 */
async function main(): Promise<void> {
  const args = parseArgs(
    { skus: '10000', workers: 'auto', batch: '100', json: '' },
    'Usage: node dist/bench/dss/service-run.bench.js [--skus 10000] [--workers auto|n] [--batch 100] [--json out.json]',
  );
  const skus = numberArg(args, 'skus', (v) => Number.isInteger(v) && v > 0);
  const batch = numberArg(args, 'batch', (v) => Number.isInteger(v) && v > 0);
  if (args.workers !== 'auto') numberArg(args, 'workers', (v) => Number.isInteger(v) && v >= 0);
  const t = await startTestApp('dss', (env) => DssModule.register({ env }), {
    DSS_COMPUTE_WORKERS: args.workers,
    DSS_COMPUTE_BATCH_SIZE: String(batch),
    DSS_RECOMPUTE_INTERVAL_MINUTES: '0',
  });
  try {
    const ds = t.app.app.get(DataSource);
    const service = t.app.app.get(SuggestionComputationService);
    let t0 = performance.now();
    await seed(ds, skus);
    const seedSeconds = (performance.now() - t0) / 1000;
    console.log(`Seeded ${skus} SKUs × 730 days in ${seedSeconds.toFixed(1)} s.`);

    const loadBefore = loadavg()[0];
    t0 = performance.now();
    // CPU of this process, every thread (service, workers, drivers); PostgreSQL's own is not counted.
    const cpu0 = process.cpuUsage();
    const requested = await service.request({ skus: [] }, undefined, 'bench');
    let c = requested;
    let lastShown = 0;
    while (c.state === 'pending' || c.state === 'running') {
      await new Promise((r) => setTimeout(r, 200));
      c = await service.get(requested.computationId);
      if (performance.now() - lastShown > 10_000) {
        lastShown = performance.now();
        console.log(`  ${c.state} ${c.stage}: ${c.done}/${c.total} (${c.unitsPerSecond.toFixed(1)}/s)`);
      }
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const loadAfter = loadavg()[0];
    if (c.state !== 'succeeded') throw new Error(`computation ${c.state}: ${c.errorMessage}`);
    const timings = service.lastTimings;
    if (!timings || timings.computationId !== c.computationId) throw new Error('no timings for the computation');
    const stageRows = Object.entries(timings.stageMs).map(([stage, ms]) => [
      stage,
      (ms / 1000).toFixed(1),
      (ms / timings.pairs).toFixed(2),
    ]);
    console.log(formatTable(['stage', 'wall s', 'ms per SKU'], stageRows));
    console.log(
      formatTable(
        ['SKUs', 'workers', 'wall s', 'SKUs/s', 'CPU ms/SKU', 'suggestions', 'failed'],
        [
          [
            String(c.total),
            String(timings.workers),
            wallSeconds.toFixed(1),
            (c.total / wallSeconds).toFixed(1),
            ((cpuSeconds * 1000) / c.total).toFixed(1),
            String(c.suggestionCount),
            String(c.failedCount),
          ],
        ],
      ),
    );
    console.log(`Load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadAfter.toFixed(2)}.`);
    const target = 60;
    if (skus === 10_000) {
      console.log(`Target < ${target} s for 10,000 SKUs: ${wallSeconds < target ? 'MET' : 'NOT MET'}.`);
    }
    const file = writeResult(
      'dss-service-run',
      {
        benchmark: 'dss-service-run',
        skus: c.total,
        historyDays: 730,
        workers: timings.workers,
        batchSize: batch,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        seedSeconds,
        wallSeconds,
        skusPerSecond: c.total / wallSeconds,
        cpuSeconds,
        cpuMsPerSku: (cpuSeconds * 1000) / c.total,
        suggestions: c.suggestionCount,
        failed: c.failedCount,
        stageMs: timings.stageMs,
        msPerSku: Object.fromEntries(Object.entries(timings.stageMs).map(([k, v]) => [k, v / timings.pairs])),
        loadAverage: { before: loadBefore, after: loadAfter },
        targetSeconds: skus === 10_000 ? target : undefined,
      },
      args.json || undefined,
    );
    console.log(`Wrote ${file}`);
  } finally {
    await t.close();
  }
}

/** Deterministic data, in SQL: a hash of SKU and day stands in for the noise. */
async function seed(ds: DataSource, skus: number): Promise<void> {
  const to = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const params = [skus, to];
  const series = `SELECT i, format('SKU-%s', lpad(i::text, 6, '0')) AS sku FROM generate_series(1, $1::int) AS i`;
  const days = `SELECT d::date AS day FROM generate_series($2::date - 729, $2::date, interval '1 day') AS d`;
  // u ∈ [0, 1): the noise of SKU × day.
  const noise = `((hashtext(k.sku || d.day::text)::bigint + 2147483648) % 1000000) / 1000000.0`;
  await ds.query(
    `INSERT INTO item (sku, title, categories, price_minor, currency, available, updated_at)
     SELECT sku, 'Item ' || i, ARRAY['cat-' || (i % 20)], 100 + (i % 900), 'EUR', true, now() FROM (${series}) k`,
    [skus],
  );
  // Smooth sellers (i % 3 ≠ 0): every day, weekly pattern and noise. Intermittent (i % 3 = 0): ~12% of days.
  await ds.query(
    `INSERT INTO daily_sales (sku, store_id, day, units_sold, units_returned, revenue_minor, lines)
     SELECT sku, 'S1', day, units, 0, units * 250, 1 FROM (
       SELECT k.sku, d.day,
              CASE WHEN k.i % 3 <> 0
                THEN greatest(0, round((2 + k.i % 17) * (1 + 0.3 * sin(2 * pi() * extract(dow FROM d.day) / 7))
                                       + (${noise} - 0.5) * 2 * sqrt(2 + k.i % 17)))::bigint
                ELSE CASE WHEN ${noise} < 0.12 THEN 1 + (k.i + extract(doy FROM d.day)::int) % 3 ELSE 0 END
              END AS units
         FROM (${series}) k CROSS JOIN (${days}) d
     ) x WHERE units > 0`,
    params,
  );
  // A stock-out day now and then (about 1 in 100 per SKU): censored demand.
  await ds.query(
    `INSERT INTO daily_stock (sku, store_id, day, closing_on_hand, min_on_hand, observed_at)
     SELECT k.sku, 'S1', d.day, 0, 0, d.day + interval '20 hours'
       FROM (${series}) k CROSS JOIN (${days}) d
      WHERE ((hashtext(d.day::text || k.sku)::bigint + 2147483648) % 100) = 0`,
    params,
  );
  await ds.query(
    `INSERT INTO stock_position (sku, store_id, on_hand, on_order, observed_at)
     SELECT sku, 'S1', (i * 7) % 60, CASE WHEN i % 5 = 0 THEN 12 ELSE 0 END, now() - ((i % 10) || ' days')::interval
       FROM (${series}) k`,
    [skus],
  );
  await ds.query(
    `INSERT INTO supply_parameters (sku, store_id, lead_time_days, lead_time_std_days, unit_cost_minor,
        order_cost_minor, holding_cost_rate, currency, min_order_qty, pack_size, service_level, review_period_days,
        updated_at, updated_by)
     SELECT sku, 'S1', 2 + i % 12, (i % 3) * 0.5, 100 + (i % 900), CASE WHEN i % 4 = 0 THEN 2500 ELSE 0 END, NULL,
            'EUR', CASE WHEN i % 6 = 0 THEN 10 ELSE 0 END, CASE WHEN i % 8 = 0 THEN 6 ELSE 1 END,
            CASE WHEN i % 10 = 0 THEN 0.98 ELSE 0.95 END, CASE WHEN i % 4 = 2 THEN 7 ELSE 0 END, now(), 'bench'
       FROM (${series}) k WHERE i % 2 = 0`,
    [skus],
  );
  await ds.query(`ANALYZE`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});

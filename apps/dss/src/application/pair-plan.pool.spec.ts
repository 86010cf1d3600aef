import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { aRule, dailyHistory, poissonSeries, supplyParameters } from '../../test/dss.builders';
import { PairPlanTask, planPairs, PlanContext } from './pair-plan';
import { PairPlanPool } from './pair-plan.pool';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** A worker thread that runs the TypeScript worker: transpiled on load, `@app/*` resolved as tsconfig maps it. */
function tsWorker(): Worker {
  const bootstrap = `
    const fs = require('node:fs');
    const path = require('node:path');
    const Module = require('node:module');
    const ts = require(${JSON.stringify(require.resolve('typescript'))});
    const root = ${JSON.stringify(ROOT)};
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      const m = /^@app\\/([^/]+)(\\/.*)?$/.exec(request);
      if (m) request = path.join(root, 'libs', m[1], 'src', m[2] ?? '');
      return resolve.call(this, request, ...rest);
    };
    require.extensions['.ts'] = (module, file) => {
      const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      module._compile(out.outputText, file);
    };
    require(${JSON.stringify(join(__dirname, 'pair-plan.worker.ts'))});
  `;
  return new Worker(bootstrap, { eval: true });
}

const today = '2026-11-20';
const now = new Date(`${today}T06:00:00Z`);

/** A few dozen pairs like a store's: smooth and intermittent sellers, stock-outs, with and without parameters. */
function tasks(): PairPlanTask[] {
  return Array.from({ length: 36 }, (_, i) => {
    const smooth = i % 3 !== 0;
    const units = smooth
      ? poissonSeries(2 + (i % 9), 400, 7 + i)
      : poissonSeries(0.3, 400, 11 + i).map((u) => (u > 2 ? 1 : 0));
    const sku = i === 35 ? 'BROKEN' : `SKU-${i}`;
    return {
      sku,
      storeId: 'S1',
      history: i === 34 ? undefined : dailyHistory(units, smooth ? [50, 51, 300] : [], now),
      stock: i % 4 === 0 ? undefined : { onHand: (i * 7) % 40, onOrder: i % 5 === 0 ? 6 : 0, observedAt: now },
      item: { title: `Item ${i}`, categories: [i % 2 ? 'garden' : 'kitchen'] },
      supply:
        i % 2 === 0
          ? supplyParameters({
              sku,
              leadTimeDays: 2 + (i % 10),
              packSize: i % 8 === 0 ? 6 : 1,
              reviewPeriodDays: i % 4,
            })
          : undefined,
      forecastId: `f-${i}`,
      suggestionId: `s-${i}`,
      computedAt: now,
    };
  });
}

const ctx: PlanContext = {
  rules: [
    aRule({ type: 'order_cap', maxUnits: 30 }, { category: 'garden' }, 'Garden cap'),
    // A rule the API would refuse, as an older version might have stored it: that pair fails alone.
    aRule({ type: 'order_cap', maxUnits: -5 }, { skus: ['BROKEN'] }, 'Broken cap'),
  ],
  computationId: 'c-1',
  today,
  defaults: { leadTimeDays: 7, serviceLevel: 0.95, reviewPeriodDays: 7, holdingCostRate: 0.25, currency: 'EUR' },
  holdoutDays: 28,
};

describe('PairPlanPool', () => {
  jest.setTimeout(120_000);

  it('plans a batch on worker threads exactly as in the service thread, one bad pair failing alone', async () => {
    const inline = planPairs(tasks(), ctx);
    expect(inline.filter((o) => !o.ok)).toEqual([{ ok: false, message: expect.stringMatching(/non-negative/) }]);
    expect(inline.filter((o) => o.ok)).toHaveLength(35);

    const pool = PairPlanPool.create(2, tsWorker)!;
    try {
      const pooled = await pool.plan(tasks(), ctx);
      expect(pooled).toEqual(inline);
      // Again on the warm workers, in other chunks: still the same.
      expect(await pool.plan(tasks().slice(5), ctx)).toEqual(inline.slice(5));
    } finally {
      await pool.close();
    }
  });

  it('has no pool when configured off or when the compiled worker is not there (TypeScript sources)', () => {
    expect(PairPlanPool.create(0)).toBeUndefined();
    expect(PairPlanPool.create(2)).toBeUndefined();
  });
});

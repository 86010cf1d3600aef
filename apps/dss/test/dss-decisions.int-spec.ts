import { status } from '@grpc/grpc-js';
import { dssV1 } from '@app/contracts';
import { errorFromGrpc } from '@app/platform/errors';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SuggestionComputationService } from '../src/application/suggestion-computation.service';
import { ReportDocument } from '../src/domain/reports/report.types';
import { DssModule } from '../src/dss.module';
import { dayFromToday, poissonSeries } from './dss.builders';
import { csvRecords, markupProblems, textOf } from './markup.check';

/*
 * The decision half end to end, on the real PostgreSQL and NATS: ingestion's events in, a computation for a store,
 * suggestions with their numbers and reasons, rules, a decision, forecasts, and the reports in every format.
 */

const DAYS = 84;
const STORE = 'S1';
/** Days (index into the history) on which STEADY ran out of stock. */
const STOCKOUT_DAYS = [60, 61];

interface Sku {
  sku: string;
  title: string;
  categories: string[];
  units: number[];
  priceMinor: number;
  onHand?: number;
  supply?: { minOrderQty?: number; packSize?: number; unitCostMinor?: number };
}

const twin = poissonSeries(10, DAYS, 7);
const steady = poissonSeries(10, DAYS, 1).map((u, i) => (STOCKOUT_DAYS.includes(i) ? 3 : u));
const SKUS: Sku[] = [
  { sku: 'STEADY', title: 'Milk 1 L', categories: ['dairy'], units: steady, priceMinor: 500, onHand: 20, supply: {} },
  // Four twins with the same demand, stock and parameters: only their rules differ.
  { sku: 'CTRL', title: 'Garden chair', categories: ['garden'], units: twin, priceMinor: 100, onHand: 20, supply: {} },
  { sku: 'CAP', title: 'Garden table', categories: ['garden'], units: twin, priceMinor: 100, onHand: 20, supply: {} },
  { sku: 'PROMO', title: 'Mulled wine', categories: ['drinks'], units: twin, priceMinor: 100, onHand: 20, supply: {} },
  { sku: 'OFF', title: 'Old lamp', categories: ['home'], units: twin, priceMinor: 100, onHand: 20, supply: {} },
  {
    sku: 'PACK',
    title: 'Eggs',
    categories: ['dairy'],
    units: twin,
    priceMinor: 100,
    onHand: 20,
    supply: { minOrderQty: 200, packSize: 12 },
  },
  {
    sku: 'RARE',
    title: 'BBQ grill',
    categories: ['garden'],
    units: Array.from({ length: DAYS }, (_, i) => ([10, 45, 70].includes(i) ? 9 : 0)),
    priceMinor: 100,
    onHand: 60,
    supply: { unitCostMinor: 1500 },
  },
  // More of the same, so that the HTML overview (one chart each) outgrows one 64 KiB stream chunk.
  ...['Rake', 'Hose', 'Spade', 'Shears'].map((title): Sku => ({
    sku: title.toUpperCase(),
    title,
    categories: ['garden'],
    units: twin,
    priceMinor: 100,
    onHand: 20,
    supply: {},
  })),
  // Neither supply parameters nor a stock position: the suggestion must say what it assumed.
  { sku: 'NOSUP', title: 'Candles', categories: ['home'], units: poissonSeries(4, DAYS, 3), priceMinor: 100 },
];

const bySku = (list: dssV1.Suggestion[], sku: string) => list.find((s) => s.sku === sku)!;
const reasonText = (s: dssV1.Suggestion) => s.reasons.map((r) => r.text).join(' ');

describe('DSS decisions (real PostgreSQL and NATS)', () => {
  let t: TestApp;
  let grpc: GrpcTestClient;
  let ds: DataSource;
  let suggestions: dssV1.Suggestion[] = [];
  const http = (path: string, init?: RequestInit) =>
    fetch(`${t.app.httpUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e) => e,
    );

  async function computeAndWait(scope: object, requestId = randomUUID()): Promise<dssV1.Computation> {
    const started = await grpc.call<dssV1.ComputeSuggestionsResponse>('ComputeSuggestions', {
      scope,
      requestId,
      requestedBy: 'ana@store-1',
    });
    return eventually(
      async () =>
        (
          await grpc.call<dssV1.GetComputationResponse>('GetComputation', {
            computationId: started.computation!.computationId,
          })
        ).computation!,
      (c) => c.state === 'COMPUTATION_STATE_SUCCEEDED' || c.state === 'COMPUTATION_STATE_FAILED',
      'the computation to finish',
      30_000,
    );
  }

  beforeAll(async () => {
    t = await startTestApp('dss', (env) => DssModule.register({ env }), { DSS_RECOMPUTE_INTERVAL_MINUTES: '0' });
    grpc = grpcTestClient('dss', t.app.grpcUrl);
    ds = t.app.app.get(DataSource);
    const now = new Date();
    const messages: [Parameters<TestApp['bus']['publish']>[0], object, string][] = [];
    for (const s of SKUS) {
      messages.push([
        'catalog.v1.item',
        {
          itemId: s.sku,
          title: s.title,
          categories: s.categories,
          priceMinor: s.priceMinor,
          currency: 'EUR',
          updatedAt: now.toISOString(),
        },
        `item-${s.sku}`,
      ]);
      s.units.forEach((quantity, i) => {
        const day = dayFromToday(i - DAYS);
        if (quantity > 0) {
          messages.push([
            'sales.v1.line',
            {
              lineId: `${s.sku}-${day}`,
              sku: s.sku,
              storeId: STORE,
              quantity,
              kind: 'sale',
              unitPriceMinor: s.priceMinor,
              currency: 'EUR',
              occurredAt: `${day}T12:00:00.000Z`,
            },
            `line-${s.sku}-${day}`,
          ]);
        }
      });
      if (s.onHand !== undefined) {
        messages.push([
          'stock.v1.position',
          {
            sku: s.sku,
            storeId: STORE,
            onHand: s.onHand,
            onOrder: 0,
            observedAt: new Date(now.getTime() - 3600_000).toISOString(),
          },
          `stock-${s.sku}`,
        ]);
      }
      if (s.supply) {
        messages.push([
          'supply.v1.parameters',
          {
            sku: s.sku,
            leadTimeDays: 7,
            leadTimeStdDays: 0,
            unitCostMinor: s.supply.unitCostMinor ?? 250,
            currency: 'EUR',
            minOrderQty: s.supply.minOrderQty ?? 0,
            packSize: s.supply.packSize ?? 1,
            serviceLevel: 0.95,
            updatedAt: now.toISOString(),
          },
          `supply-${s.sku}`,
        ]);
      }
    }
    for (const i of STOCKOUT_DAYS) {
      const day = dayFromToday(i - DAYS);
      messages.push([
        'stock.v1.position',
        { sku: 'STEADY', storeId: STORE, onHand: 0, onOrder: 0, observedAt: `${day}T18:00:00.000Z` },
        `stockout-${day}`,
      ]);
    }
    for (let i = 0; i < messages.length; i += 100) {
      await Promise.all(
        messages.slice(i, i + 100).map(([subject, payload, msgId]) => t.bus.publish(subject, payload, { msgId })),
      );
    }
    const lines = messages.filter(([subject]) => subject === 'sales.v1.line').length;
    await eventually(
      () =>
        ds.query(`SELECT (SELECT count(*) FROM daily_sales)::int AS sales, (SELECT count(*) FROM daily_stock)::int AS stock,
                         (SELECT count(*) FROM supply_parameters)::int AS supply, (SELECT count(*) FROM item)::int AS items`),
      (r: { sales: number; stock: number; supply: number; items: number }[]) =>
        r[0].sales === lines &&
        r[0].stock === SKUS.filter((x) => x.onHand !== undefined).length + STOCKOUT_DAYS.length &&
        r[0].supply === SKUS.filter((x) => x.supply).length &&
        r[0].items === SKUS.length,
      'ingested sales, stock, supply parameters and items',
      30_000,
    );

    const rule = (name: string, sku: string, kind: object) =>
      grpc.call('CreateRule', {
        rule: { name, scope: { skus: [sku] }, enabled: true, ...kind },
        actor: 'planner',
        reason: 'test',
      });
    const today = dayFromToday(0).split('-').map(Number);
    const inAMonth = dayFromToday(30).split('-').map(Number);
    await rule('Garden cap', 'CAP', { orderCap: { maxUnits: 30 } });
    await rule('End of line', 'OFF', { discontinued: {} });
    await rule('Winter promo', 'PROMO', {
      demandUplift: {
        startDate: { year: today[0], month: today[1], day: today[2] },
        endDate: { year: inAMonth[0], month: inAMonth[1], day: inAMonth[2] },
        factor: 2,
      },
    });
  }, 60_000);

  afterAll(async () => {
    grpc?.close();
    await t?.close();
  });

  describe('a manager asks for suggestions for a store', () => {
    it('runs the computation in the background to SUCCEEDED with its progress, once per request id', async () => {
      const requestId = `req-${randomUUID()}`;
      const first = await grpc.call<dssV1.ComputeSuggestionsResponse>('ComputeSuggestions', {
        scope: { storeId: STORE },
        requestId,
        requestedBy: 'ana@store-1',
      });
      expect(first.computation).toMatchObject({ state: 'COMPUTATION_STATE_PENDING', scope: { storeId: STORE } });
      const again = await grpc.call<dssV1.ComputeSuggestionsResponse>('ComputeSuggestions', {
        scope: { storeId: STORE },
        requestId,
        requestedBy: 'ana@store-1',
      });
      expect(again.computation!.computationId).toBe(first.computation!.computationId);

      const seen = new Set<string>();
      const done = await eventually(
        async () => {
          const c = (
            await grpc.call<dssV1.GetComputationResponse>('GetComputation', {
              computationId: first.computation!.computationId,
            })
          ).computation!;
          seen.add(c.state);
          return c;
        },
        (c) => c.state === 'COMPUTATION_STATE_SUCCEEDED' || c.state === 'COMPUTATION_STATE_FAILED',
        'the computation',
        30_000,
      );
      expect(done).toMatchObject({
        state: 'COMPUTATION_STATE_SUCCEEDED',
        progress: { stage: 'done', done: SKUS.length, total: SKUS.length },
        suggestionCount: SKUS.length,
        errorMessage: '',
      });
      expect(done.progress!.unitsPerSecond).toBeGreaterThan(0);
      expect(done.finishedAt).toBeTruthy();
      const rest = await http(`/v1/computations/${done.computationId}`);
      expect(((await rest.json()) as { computation: { failedCount: number } }).computation.failedCount).toBe(0);

      const list = await grpc.call<dssV1.ListSuggestionsResponse>('ListSuggestions', {
        scope: { storeId: STORE },
        status: 'SUGGESTION_STATUS_PROPOSED',
      });
      suggestions = list.suggestions;
      expect(suggestions).toHaveLength(SKUS.length);
      expect(new Set(suggestions.map((s) => s.computationId))).toEqual(new Set([done.computationId]));
    });

    it('puts the reorder point at lead-time demand plus safety stock, with reasons a manager can read', () => {
      const s = bySku(suggestions, 'STEADY');
      expect(s.leadTimeDays).toBe(7);
      expect(s.safetyStock).toBeGreaterThan(0);
      // 10 a day over 7 days is 70; the forecast's own level may differ by a few units.
      expect(s.reorderPoint - s.safetyStock).toBeGreaterThanOrEqual(63);
      expect(s.reorderPoint - s.safetyStock).toBeLessThanOrEqual(78);
      expect(s.orderQuantity).toBe(s.orderUpToLevel - 20);
      expect(s.stockoutProbability).toBeGreaterThan(0.5);
      expect(s).toMatchObject({ onHand: 20, policy: 'POLICY_TYPE_CONTINUOUS_REVIEW', targetServiceLevel: 0.95 });
      expect(reasonText(s)).toMatch(/^Demand ≈ \d+(\.\d)?\/day \(/);
      expect(reasonText(s)).toContain(`safety stock ${s.safetyStock} for a 95% service level`);
      expect(reasonText(s)).toContain(`is below the reorder point ${s.reorderPoint}: order ${s.orderQuantity}`);
      expect(s.reasons.map((r) => r.code)).not.toContain('DEFAULTS.SUPPLY_PARAMETERS');
    });

    it('lets the rules change the outcome and names them', () => {
      const ctrl = bySku(suggestions, 'CTRL');
      expect(ctrl.orderQuantity).toBeGreaterThan(30);

      const cap = bySku(suggestions, 'CAP');
      expect(cap.orderQuantity).toBe(30);
      expect(cap.reasons).toContainEqual(
        expect.objectContaining({
          code: 'RULE.ORDER_CAP',
          text: expect.stringContaining('Rule "Garden cap": order cap 30'),
        }),
      );
      expect(cap.reasons.find((r) => r.code === 'RULE.ORDER_CAP')!.ruleId).toMatch(/^[0-9a-f-]{36}$/);

      const off = bySku(suggestions, 'OFF');
      expect(off.orderQuantity).toBe(0);
      expect(reasonText(off)).toContain('Rule "End of line": discontinued: not reordered');

      const promo = bySku(suggestions, 'PROMO');
      expect(promo.orderQuantity).toBeGreaterThan(ctrl.orderQuantity);
      expect(promo.reorderPoint).toBeGreaterThan(ctrl.reorderPoint);
      expect(reasonText(promo)).toContain('Rule "Winter promo": demand ×2');

      const pack = bySku(suggestions, 'PACK');
      expect(pack.orderQuantity).toBeGreaterThanOrEqual(200);
      expect(pack.orderQuantity % 12).toBe(0);
      expect(reasonText(pack)).toContain('raised to the minimum order of 200 and packs of 12');
    });

    it('says when it assumed the default supply parameters and an unknown stock', () => {
      const s = bySku(suggestions, 'NOSUP');
      expect(s.reasons.slice(0, 2).map((r) => r.code)).toEqual(['DEFAULTS.SUPPLY_PARAMETERS', 'STOCK.UNKNOWN']);
      expect(s.reasons[0].text).toContain('assumed a lead time of 7 days and a 95% service level');
      expect(s).toMatchObject({ leadTimeDays: 7, targetServiceLevel: 0.95, onHand: 0 });
    });

    it('publishes the acceptance of a suggestion', async () => {
      const s = bySku(suggestions, 'STEADY');
      const seen: { suggestionId: string; status: string; orderQuantity: number }[] = [];
      const consumer = await t.bus.consume({
        stream: 'DSS',
        durable: `test-${randomUUID().slice(0, 8)}`,
        filterSubjects: ['dss.v1.suggestion_changed'],
        handler: async (m) => {
          seen.push(m.data as (typeof seen)[number]);
        },
      });
      const accepted = await http(`/v1/suggestions/${s.suggestionId}/accept`, {
        method: 'POST',
        body: JSON.stringify({ actor: 'ana@store-1', revision: s.revision }),
      });
      expect(accepted.status).toBe(200);
      const events = await eventually(
        async () => seen.filter((e) => e.suggestionId === s.suggestionId),
        (x) => x.some((e) => e.status === 'accepted'),
        'the acceptance event',
      );
      expect(events.map((e) => e.status)).toEqual(['proposed', 'accepted']);
      expect(events[1].orderQuantity).toBe(s.orderQuantity);
      await consumer.close();
    });

    it('records a SKU that cannot be computed and carries on with the others', async () => {
      for (const sku of ['BROKEN', 'FINE']) {
        await t.bus.publish(
          'sales.v1.line',
          {
            lineId: `${sku}-1`,
            sku,
            storeId: 'S2',
            quantity: 5,
            kind: 'sale',
            unitPriceMinor: 100,
            currency: 'EUR',
            occurredAt: `${dayFromToday(-3)}T10:00:00.000Z`,
          },
          { msgId: `line-${sku}` },
        );
      }
      await eventually(
        () => ds.query(`SELECT count(*)::int AS n FROM daily_sales WHERE store_id = 'S2'`),
        (r: { n: number }[]) => r[0].n === 2,
        'S2 sales',
      );
      // A rule the API would refuse, as an older version might have stored it.
      await ds.query(
        `INSERT INTO rule (rule_id, revision, name, scope, kind, params, enabled, changed_by, changed_at)
         VALUES ($1, 1, 'Broken cap', '{"skus":["BROKEN"]}', 'order_cap', '{"maxUnits":-5}', true, 'legacy', now())`,
        [randomUUID()],
      );
      const c = await computeAndWait({ storeId: 'S2' });
      expect(c).toMatchObject({
        state: 'COMPUTATION_STATE_SUCCEEDED',
        suggestionCount: 1,
        progress: expect.objectContaining({ done: 2, total: 2 }),
      });
      expect(c.errorMessage).toMatch(
        /^1 of 2 SKU × store pairs could not be computed; first: BROKEN at S2: rule .*non-negative/,
      );
    });

    it('ends a run that cannot go on as FAILED, with a message and without internals', async () => {
      await ds.query(`ALTER TABLE rule RENAME TO rule_away`);
      try {
        const c = await computeAndWait({ storeId: 'S2' });
        expect(c.state).toBe('COMPUTATION_STATE_FAILED');
        expect(c.errorMessage).toBe(
          `Failed while forecasting after 0 of 2 SKU × store pairs: an internal error (the service log has it under ${c.computationId})`,
        );
        expect(c.finishedAt).toBeTruthy();
      } finally {
        await ds.query(`ALTER TABLE rule_away RENAME TO rule`);
      }
    });

    it('runs on a schedule, skipping a run while another is under way', async () => {
      const service = t.app.app.get(SuggestionComputationService);
      const running = await service.request({ storeId: 'S2', skus: [] }, undefined, 'ana@store-1');
      expect(service.busy).toBe(true);
      expect(await service.runScheduled()).toBeUndefined();
      await eventually(
        async () => service.busy,
        (busy) => !busy,
        'the running computation',
        30_000,
      );
      const scheduled = await service.runScheduled();
      expect(scheduled).toMatchObject({ requestedBy: 'schedule', scope: { skus: [] }, state: 'pending' });
      expect(running.computationId).not.toBe(scheduled!.computationId);
      await eventually(
        async () => service.busy,
        (busy) => !busy,
        'the scheduled computation',
        30_000,
      );
    });

    it('names the bad field of a computation request', async () => {
      const noActor = await failure(grpc.call('ComputeSuggestions', { scope: { storeId: STORE } }));
      expect(noActor.code).toBe(status.INVALID_ARGUMENT);
      expect(errorFromGrpc(noActor).violations[0].field).toBe('requestedBy');
      const badId = await failure(grpc.call('GetComputation', { computationId: 'nope' }));
      expect(badId.code).toBe(status.INVALID_ARGUMENT);
      const unknown = await failure(grpc.call('GetComputation', { computationId: randomUUID() }));
      expect(unknown.code).toBe(status.NOT_FOUND);
      expect(errorFromGrpc(unknown).code).toBe('COMPUTATION.NOT_FOUND');
      const rest = await http('/v1/computations', {
        method: 'POST',
        body: JSON.stringify({ scope: { storeId: STORE } }),
      });
      expect(rest.status).toBe(400);
      expect(((await rest.json()) as { error: { violations: { field: string }[] } }).error.violations[0].field).toBe(
        'requestedBy',
      );
    });
  });

  describe('forecasts', () => {
    it('returns non-negative quantiles and the history with its stock-out days', async () => {
      const res = await grpc.call<dssV1.GetForecastResponse>('GetForecast', {
        sku: 'STEADY',
        storeId: STORE,
        horizon: 14,
        quantiles: [0.9, 0.1, 0.5],
        historyPeriods: 30,
      });
      const f = res.forecast!;
      expect(f).toMatchObject({ sku: 'STEADY', frequency: 'FREQUENCY_DAY', demandClass: 'DEMAND_CLASS_SMOOTH' });
      expect(f.points).toHaveLength(14);
      for (const p of f.points) {
        expect(p.quantiles.map((q) => q.quantile)).toEqual([0.1, 0.5, 0.9]);
        const v = p.quantiles.map((q) => q.value);
        expect(v[0]).toBeGreaterThanOrEqual(0);
        expect(v).toEqual([...v].sort((a, b) => a - b));
        expect(p.mean).toBeGreaterThan(7);
        expect(p.mean).toBeLessThan(13);
      }
      expect(f.points[0].periodStart).toEqual(dateOf(dayFromToday(0)));
      expect(f.candidates.length).toBeGreaterThan(3);
      expect(f.candidates[0].model).toBe(f.model);
      expect(f.history).toHaveLength(30);
      expect(f.history.filter((h) => h.censored).map((h) => h.periodStart)).toEqual(
        STOCKOUT_DAYS.map((i) => dateOf(dayFromToday(i - DAYS))),
      );
      expect(f.history[f.history.length - 1].quantity).toBe(steady[DAYS - 1]);
    });

    it('aggregates to weeks over REST', async () => {
      const res = await http(`/v1/forecasts/STEADY?storeId=${STORE}&frequency=week&horizon=4&quantiles=0.05,0.95`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        forecast: {
          frequency: string;
          points: { periodStart: string; mean: number; quantiles: { quantile: number }[] }[];
        };
        history: { periodStart: string; quantity: number; censored: boolean }[];
      };
      expect(body.forecast.frequency).toBe('week');
      expect(body.forecast.points).toHaveLength(4);
      expect(body.forecast.points.map((p) => new Date(`${p.periodStart}T00:00:00Z`).getUTCDay())).toEqual([1, 1, 1, 1]);
      expect(body.forecast.points[0].mean).toBeGreaterThan(50);
      expect(body.forecast.points[0].quantiles.map((q) => q.quantile)).toEqual([0.05, 0.95]);
      expect(body.history.some((h) => h.censored)).toBe(true);
    });

    it('answers NOT_FOUND with a stable code for an unknown SKU and names bad fields', async () => {
      const unknown = await failure(grpc.call('GetForecast', { sku: 'NOPE', storeId: STORE }));
      expect(unknown.code).toBe(status.NOT_FOUND);
      expect(errorFromGrpc(unknown).code).toBe('SKU.NOT_FOUND');
      expect((await http(`/v1/forecasts/NOPE?storeId=${STORE}`)).status).toBe(404);

      const badHorizon = await failure(grpc.call('GetForecast', { sku: 'STEADY', storeId: STORE, horizon: 400 }));
      expect(badHorizon.code).toBe(status.INVALID_ARGUMENT);
      expect(errorFromGrpc(badHorizon).violations).toEqual([
        { field: 'horizon', message: 'must be between 1 and 365' },
      ]);
      const badQuantile = await failure(
        grpc.call('GetForecast', { sku: 'STEADY', storeId: STORE, quantiles: [0.5, 1.5] }),
      );
      expect(errorFromGrpc(badQuantile).violations[0].field).toBe('quantiles[1]');
      const badModel = await failure(grpc.call('GetForecast', { sku: 'STEADY', storeId: STORE, model: 'magic' }));
      expect(errorFromGrpc(badModel).violations[0].field).toBe('model');
      const cannotFit = await failure(
        grpc.call('GetForecast', { sku: 'RARE', storeId: STORE, model: 'holt_winters_multiplicative' }),
      );
      expect(cannotFit.code).toBe(status.FAILED_PRECONDITION);
      expect(errorFromGrpc(cannotFit).code).toBe('FORECAST.MODEL_NOT_APPLICABLE');

      const rest = async (query: string) => {
        const r = await http(`/v1/forecasts/STEADY?${query}`);
        expect(r.status).toBe(400);
        return ((await r.json()) as { error: { violations: { field: string }[] } }).error.violations[0].field;
      };
      expect(await rest(`storeId=${STORE}&horizon=0`)).toBe('horizon');
      expect(await rest(`storeId=${STORE}&quantiles=0.1,1`)).toBe('quantiles[1]');
      expect(await rest(`storeId=${STORE}&frequency=hour`)).toBe('frequency');
      expect(await rest('horizon=7')).toBe('storeId');
    });
  });

  describe('reports', () => {
    it('classes a high-revenue steady SKU as AX and a rare lumpy one as CZ (JSON)', async () => {
      const res = await http(`/v1/reports/abc-xyz?format=json&storeId=${STORE}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = (await res.json()) as ReportDocument;
      const cls = Object.fromEntries(doc.abcXyz!.rows.map((r) => [r.sku, r.abcXyz]));
      expect(cls.STEADY).toBe('AX');
      expect(cls.RARE).toBe('CZ');
      expect(doc.abcXyz!.rows[0].sku).toBe('STEADY');
    });

    it('exports the stockout-risk list as CSV that parses back', async () => {
      const res = await http(`/v1/reports/stockout-risk?format=csv&storeId=${STORE}`);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="stockout-risk-store-S1-\d{4}-\d\d-\d\d\.csv"$/,
      );
      const rows = csvRecords(await res.text());
      expect(rows.length).toBeGreaterThan(3);
      const p = rows.map((r) => Number(r.stockout_probability));
      expect(p).toEqual([...p].sort((a, b) => b - a));
      const nosup = rows.find((r) => r.sku === 'NOSUP')!;
      expect(nosup.stock_known).toBe('false');
      const cap = rows.find((r) => r.sku === 'CAP')!;
      expect(cap.order_quantity).toBe('30');
      expect(cap.reorder_point).toBe(String(bySku(suggestions, 'CAP').reorderPoint));
    });

    it('reports forecast accuracy per SKU and per category', async () => {
      const doc = (await (await http(`/v1/reports/forecast-accuracy?storeId=${STORE}`)).json()) as ReportDocument;
      const a = doc.forecastAccuracy!;
      const steadyRow = a.bySku.find((r) => r.sku === 'STEADY')!;
      expect(steadyRow.holdoutPeriods).toBe(28);
      expect(steadyRow.scoredPeriods).toBe(28 - STOCKOUT_DAYS.length);
      expect(steadyRow.mase).toBeGreaterThan(0);
      expect(steadyRow.mase).toBeLessThan(2);
      expect(steadyRow.coverage).toBeGreaterThan(0.4);
      expect(a.byCategory.map((c) => c.category)).toEqual(['dairy', 'drinks', 'garden', 'home']);
      expect(a.overall.skus).toBe(a.bySku.length);
    });

    it('renders the HTML page with the charts and the numbers, and streams it over gRPC in chunks', async () => {
      const res = await http(`/v1/reports/overview?format=html&storeId=${STORE}`);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      writeFileSync('/tmp/report.html', html);
      expect(markupProblems(html)).toEqual([]);
      expect(html).not.toMatch(/<script|\bsrc=|\bhref=/i);
      const charts = html.match(/<svg [^>]*class="sku-chart"[^>]*data-sku="([^"]+)"/g) ?? [];
      expect(charts.length).toBeGreaterThanOrEqual(5);
      const s = bySku(suggestions, 'CAP');
      expect(html).toContain(`data-sku="CAP"`);
      expect(textOf(html, 'stockout-risk-items')).toContain(`CAP Garden table ${STORE}`);
      const chartOfCap = html.slice(html.indexOf('data-sku="CAP"'));
      expect(chartOfCap.slice(0, chartOfCap.indexOf('</svg>'))).toContain(`reorder point ${s.reorderPoint}`);
      expect(textOf(html, 'abc-xyz-items')).toMatch(/STEADY Milk 1 L S1 AX/);

      const messages = await grpc.stream<dssV1.GetReportResponse>('GetReport', {
        kind: 'REPORT_KIND_OVERVIEW',
        format: 'REPORT_FORMAT_HTML',
        scope: { storeId: STORE },
      });
      expect(messages[0].header).toMatchObject({ contentType: 'text/html; charset=utf-8' });
      expect(messages[0].header!.filename).toMatch(/^overview-store-S1-.*\.html$/);
      expect(messages.slice(1).every((m) => !m.header && m.chunk.length > 0 && m.chunk.length <= 64 * 1024)).toBe(true);
      const streamed = Buffer.concat(messages.map((m) => m.chunk)).toString('utf8');
      expect(messages.length).toBe(1 + Math.ceil(Buffer.byteLength(streamed) / (64 * 1024)));
      expect(messages.length).toBeGreaterThan(2);
      expect(streamed.replace(/generated [^<]+UTC/, '')).toBe(html.replace(/generated [^<]+UTC/, ''));
    });

    it('names the bad field of a report request', async () => {
      const noKind = await failure(grpc.stream('GetReport', { format: 'REPORT_FORMAT_CSV' }));
      expect(noKind.code).toBe(status.INVALID_ARGUMENT);
      expect(errorFromGrpc(noKind).violations[0].field).toBe('kind');
      const overviewCsv = await http('/v1/reports/overview?format=csv');
      expect(overviewCsv.status).toBe(400);
      const body = (await overviewCsv.json()) as { error: { violations: { field: string }[] } };
      expect(body.error.violations[0].field).toBe('format');
      const unknownKind = await http('/v1/reports/weather');
      expect(unknownKind.status).toBe(400);
      expect(((await unknownKind.json()) as typeof body).error.violations[0].field).toBe('kind');
    });
  });
});

function dateOf(iso: string) {
  const [year, month, day] = iso.split('-').map(Number);
  return { year, month, day };
}

import { status } from '@grpc/grpc-js';
import { dssV1 } from '@app/contracts';
import { errorFromGrpc } from '@app/platform/errors';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Suggestion } from '../src/domain/suggestion';
import { DssModule } from '../src/dss.module';
import { SuggestionRepository } from '../src/infra/suggestion.repository';
import { aSuggestion } from './dss.builders';

const now = '2026-11-20T09:30:00.000Z';

/** A stored proposal needs a uuid id; the rest is the shared builder's. */
const proposal = (overrides: Partial<Suggestion> = {}): Suggestion =>
  aSuggestion({ suggestionId: randomUUID(), computedAt: new Date(), ...overrides });

describe('DSS service (real PostgreSQL and NATS)', () => {
  let t: TestApp;
  let grpc: GrpcTestClient;
  let ds: DataSource;
  const http = (path: string, init?: RequestInit) =>
    fetch(`${t.app.httpUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });

  beforeAll(async () => {
    t = await startTestApp('dss', (env) => DssModule.register({ env }));
    grpc = grpcTestClient('dss', t.app.grpcUrl);
    ds = t.app.app.get(DataSource);
  });

  afterAll(async () => {
    grpc?.close();
    await t?.close();
  });

  describe('consuming ingestion events', () => {
    it('nets returns into daily demand, keeps the latest stock and flags stock-out days', async () => {
      const line = (lineId: string, quantity: number, occurredAt: string, kind: 'sale' | 'return' = 'sale') =>
        t.bus.publish(
          'sales.v1.line',
          { lineId, sku: 'A1', storeId: 'S1', quantity, kind, unitPriceMinor: 250, currency: 'EUR', occurredAt },
          { msgId: lineId },
        );
      await line('l1', 5, '2026-11-18T10:00:00.000Z');
      await line('l2', 3, '2026-11-18T23:59:59.000Z');
      await line('l3', -2, '2026-11-18T12:00:00.000Z', 'return');
      await line('l1', 5, '2026-11-18T10:00:00.000Z'); // resubmitted: de-duplicated
      await line('l4', 4, '2026-11-19T08:00:00.000Z');
      const stock = (onHand: number, observedAt: string) =>
        t.bus.publish(
          'stock.v1.position',
          { sku: 'A1', storeId: 'S1', onHand, onOrder: 10, observedAt },
          { msgId: `stock-${observedAt}` },
        );
      await stock(0, '2026-11-19T12:00:00.000Z');
      await stock(7, '2026-11-19T18:00:00.000Z');
      await stock(3, '2026-11-19T06:00:00.000Z'); // late arrival of an older observation

      const rows = await eventually(
        () =>
          ds.query(
            `SELECT to_char(day,'YYYY-MM-DD') AS day, units_sold::int AS sold, units_returned::int AS returned, lines
               FROM daily_sales WHERE sku = 'A1' ORDER BY day`,
          ),
        (r: unknown[]) => r.length === 2 && (r[1] as { sold: number }).sold === 4,
        'daily sales',
      );
      expect(rows).toEqual([
        { day: '2026-11-18', sold: 8, returned: 2, lines: 3 },
        { day: '2026-11-19', sold: 4, returned: 0, lines: 1 },
      ]);
      const position = await eventually(
        () => ds.query(`SELECT on_hand::int, on_order::int FROM stock_position WHERE sku = 'A1'`),
        (r: { on_hand: number }[]) => r[0]?.on_hand === 7,
        'stock position',
      );
      expect(position).toEqual([{ on_hand: 7, on_order: 10 }]);
      const day = await eventually(
        () =>
          ds.query(`SELECT min_on_hand::int AS min, closing_on_hand::int AS closing FROM daily_stock WHERE sku = 'A1'`),
        (r: { min: number }[]) => r[0]?.min === 0,
        'daily stock',
      );
      expect(day).toEqual([{ min: 0, closing: 7 }]);
    });

    it('parks a payload that breaks its schema on the dead-letter stream and carries on', async () => {
      await t.bus.publish('sales.v1.line', { lineId: 'bad', sku: 'A2', quantity: 'many' }, { msgId: 'bad-1' });
      await t.bus.publish(
        'sales.v1.line',
        {
          lineId: 'ok',
          sku: 'A2',
          storeId: 'S1',
          quantity: 1,
          kind: 'sale',
          unitPriceMinor: 1,
          currency: 'EUR',
          occurredAt: now,
        },
        { msgId: 'ok-1' },
      );
      await eventually(
        () => ds.query(`SELECT units_sold::int AS sold FROM daily_sales WHERE sku = 'A2'`),
        (r: unknown[]) => r.length === 1,
        'the good line after the bad one',
      );
      const inbox = await ds.query(`SELECT count(*)::int AS n FROM messaging_inbox WHERE message_id = 'bad-1'`);
      expect(inbox).toEqual([{ n: 0 }]);
    });
  });

  describe('accepting and rejecting suggestions', () => {
    async function propose(s: Suggestion): Promise<Suggestion> {
      const repo = t.app.app.get(SuggestionRepository);
      await ds.transaction((m) => repo.propose(m, s));
      return s;
    }

    it('accepts with an override, keeps the audit trail and announces the decision', async () => {
      const s = await propose(proposal({ sku: 'ACC-1' }));
      const seen: unknown[] = [];
      const consumer = await t.bus.consume({
        stream: 'DSS',
        durable: `test-${randomUUID().slice(0, 8)}`,
        filterSubjects: ['dss.v1.suggestion_changed'],
        handler: async (m) => {
          seen.push(m.data);
        },
      });
      const res = await grpc.call<dssV1.AcceptSuggestionResponse>('AcceptSuggestion', {
        suggestionId: s.suggestionId,
        revision: 1,
        actor: 'ana@store-1',
        reason: 'promo next week',
        quantityOverride: 72,
      });
      expect(res.suggestion).toMatchObject({ status: 'SUGGESTION_STATUS_ACCEPTED', revision: 2 });
      expect(res.suggestion?.decision).toMatchObject({ actor: 'ana@store-1', quantityOverride: 72 });

      const got = await grpc.call<dssV1.GetSuggestionResponse>('GetSuggestion', { suggestionId: s.suggestionId });
      expect(got.audit.map((a) => [a.action, a.actor, a.revision])).toEqual([
        ['AUDIT_ACTION_PROPOSED', 'system', 1],
        ['AUDIT_ACTION_ACCEPTED', 'ana@store-1', 2],
      ]);
      await eventually(
        async () => seen,
        (x) => x.length === 1,
        'suggestion_changed event',
      );
      expect(seen[0]).toMatchObject({
        suggestionId: s.suggestionId,
        status: 'accepted',
        orderQuantity: 72,
        decidedBy: 'ana@store-1',
      });
      await consumer.close();
    });

    it('refuses a stale revision, a second decision, and a rejection without a reason', async () => {
      const s = await propose(proposal({ sku: 'ACC-2' }));
      const err = (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (e) => e,
        );

      const stale = await err(
        grpc.call('AcceptSuggestion', { suggestionId: s.suggestionId, revision: 7, actor: 'bo' }),
      );
      expect(stale.code).toBe(status.ABORTED);
      expect(errorFromGrpc(stale).code).toBe('SUGGESTION.STALE_REVISION');

      const noReason = await err(
        grpc.call('RejectSuggestion', { suggestionId: s.suggestionId, actor: 'bo', reason: ' ' }),
      );
      expect(noReason.code).toBe(status.INVALID_ARGUMENT);
      expect(errorFromGrpc(noReason).violations).toEqual([
        { field: 'reason', message: 'is required to reject a suggestion' },
      ]);

      const rejected = await http(`/v1/suggestions/${s.suggestionId}/reject`, {
        method: 'POST',
        body: JSON.stringify({ actor: 'bo', reason: 'supplier closed', revision: 1 }),
      });
      expect(rejected.status).toBe(200);
      expect(((await rejected.json()) as { suggestion: Suggestion }).suggestion.status).toBe('rejected');

      const again = await err(grpc.call('AcceptSuggestion', { suggestionId: s.suggestionId, actor: 'ana' }));
      expect(again.code).toBe(status.FAILED_PRECONDITION);
      expect(errorFromGrpc(again).message).toContain('already rejected');

      const missingActor = await err(grpc.call('AcceptSuggestion', { suggestionId: s.suggestionId }));
      expect(missingActor.code).toBe(status.INVALID_ARGUMENT);
      expect(errorFromGrpc(missingActor).violations[0].field).toBe('actor');

      const unknown = await http(`/v1/suggestions/${randomUUID()}`);
      expect(unknown.status).toBe(404);
    });

    it('supersedes the open proposal when a newer one arrives and lists open ones', async () => {
      const first = await propose(proposal({ sku: 'SUP-1', storeId: 'S9' }));
      const second = await propose(proposal({ sku: 'SUP-1', storeId: 'S9', orderQuantity: 10 }));
      const list = await grpc.call<dssV1.ListSuggestionsResponse>('ListSuggestions', {
        scope: { storeId: 'S9' },
        status: 'SUGGESTION_STATUS_PROPOSED',
      });
      expect(list.suggestions.map((s) => s.suggestionId)).toEqual([second.suggestionId]);
      const old = await grpc.call<dssV1.GetSuggestionResponse>('GetSuggestion', { suggestionId: first.suggestionId });
      expect(old.suggestion?.status).toBe('SUGGESTION_STATUS_SUPERSEDED');
    });
  });

  describe('rules', () => {
    it('keeps every revision with who, when and why', async () => {
      const created = await grpc.call<dssV1.CreateRuleResponse>('CreateRule', {
        rule: { name: 'Cap garden chairs', scope: { category: 'garden' }, orderCap: { maxUnits: 40 }, enabled: true },
        actor: 'lee',
        reason: 'storage space',
      });
      const ruleId = created.rule!.ruleId;
      expect(created.rule).toMatchObject({ revision: 1, orderCap: { maxUnits: 40 }, changedBy: 'lee' });

      const res = await http(`/v1/rules/${ruleId}`, {
        method: 'PUT',
        body: JSON.stringify({
          name: 'Cap garden chairs',
          scope: { category: 'garden' },
          definition: { type: 'order_cap', maxUnits: 25 },
          actor: 'kim',
          reason: 'smaller warehouse',
          revision: 1,
        }),
      });
      expect(res.status).toBe(200);
      const stale = await http(`/v1/rules/${ruleId}`, {
        method: 'DELETE',
        body: JSON.stringify({ actor: 'kim', revision: 1 }),
      });
      expect(stale.status).toBe(409);
      await grpc.call('DeleteRule', { ruleId, revision: 2, actor: 'lee', reason: 'season over' });

      const history = (await (await http(`/v1/rules/${ruleId}/history`)).json()) as {
        history: {
          revision: number;
          action: string;
          actor: string;
          reason: string;
          snapshot: { definition: unknown };
        }[];
      };
      expect(history.history.map((h) => [h.revision, h.action, h.actor, h.reason])).toEqual([
        [1, 'created', 'lee', 'storage space'],
        [2, 'updated', 'kim', 'smaller warehouse'],
        [3, 'deleted', 'lee', 'season over'],
      ]);
      expect(history.history[1].snapshot.definition).toEqual({ type: 'order_cap', maxUnits: 25 });
      const listed = await grpc.call<dssV1.ListRulesResponse>('ListRules', { includeDisabled: true });
      expect(listed.rules.map((r) => r.ruleId)).not.toContain(ruleId);
    });

    it('names the bad field of a rule', async () => {
      const e = await grpc
        .call('CreateRule', {
          rule: { name: 'x', scope: { storeId: 'S1' }, demandUplift: { factor: -1 } },
          actor: 'lee',
        })
        .then(
          () => undefined,
          (x) => x,
        );
      expect(e.code).toBe(status.INVALID_ARGUMENT);
      expect(errorFromGrpc(e).violations.map((v) => v.field)).toEqual(
        expect.arrayContaining(['rule.demand_uplift.factor', 'rule.demand_uplift.start_date']),
      );
      const noKind = await http('/v1/rules', {
        method: 'POST',
        body: JSON.stringify({ name: 'x', scope: { storeId: 'S1' }, definition: { type: 'teleport' }, actor: 'lee' }),
      });
      expect(noKind.status).toBe(400);
      expect(((await noKind.json()) as { error: { violations: { field: string }[] } }).error.violations[0].field).toBe(
        'definition.type',
      );
    });
  });

  describe('supply parameters', () => {
    it('stores the good records, reports the bad ones, and falls back to the all-stores row', async () => {
      const res = await grpc.call<dssV1.UpsertSupplyParametersResponse>('UpsertSupplyParameters', {
        actor: 'buyer',
        parameters: [
          {
            sku: 'P1',
            leadTimeDays: 7,
            leadTimeStdDays: 2,
            unitCost: { amountMinor: 250, currencyCode: 'EUR' },
            minOrderQuantity: 24,
            packSize: 12,
            targetServiceLevel: 0.95,
          },
          { sku: 'P2', leadTimeDays: 0, unitCost: { amountMinor: 1, currencyCode: 'EUR' }, targetServiceLevel: 1.5 },
        ],
      });
      expect(res.upsertedCount).toBe(1);
      expect(res.errors.map((e) => e.field)).toEqual([
        'parameters[1].lead_time_days',
        'parameters[1].target_service_level',
      ]);
      const got = await grpc.call<dssV1.GetSupplyParametersResponse>('GetSupplyParameters', {
        skus: ['P1', 'P2'],
        storeId: 'S1',
      });
      expect(got.parameters).toEqual([
        expect.objectContaining({ sku: 'P1', storeId: '', packSize: 12, minOrderQuantity: 24 }),
      ]);
      expect(got.missingSkus).toEqual(['P2']);
    });
  });
});

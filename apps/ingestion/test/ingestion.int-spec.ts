import { status } from '@grpc/grpc-js';
import { ingestionV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import { errorFromGrpc } from '@app/platform/errors';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { DataSource } from 'typeorm';
import { IngestionModule } from '../src/ingestion.module';
import { EventLogPublisher } from '../src/infra/event-log.publisher';
import { anInteraction, collectEvents } from './ingestion.test-kit';

type Rest = {
  summary: Record<string, number>;
  results: {
    index: number;
    key: string;
    status: string;
    errors: { field: string; code: string }[];
    quarantineId?: string;
    flags: string[];
  }[];
};

describe('Ingestion service (real PostgreSQL and NATS)', () => {
  let t: TestApp;
  let grpc: GrpcTestClient;
  let ds: DataSource;
  let events: Awaited<ReturnType<typeof collectEvents>>;
  const post = async (path: string, body: unknown, raw = false) => {
    const res = await fetch(`${t.app.httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ? (body as string) : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as Rest & { error: { code: string; violations: { field: string }[] } },
    };
  };
  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await ds.query(sql, params)) as { n: string }[])[0].n);

  beforeAll(async () => {
    t = await startTestApp('ingestion', (env) => IngestionModule.register({ env }), {
      INGESTION_MAX_BATCH_SIZE: '50',
      INGESTION_BOT_MAX_EVENTS_PER_SECOND: '5',
      INGESTION_TAX_RATES: 'GBP:0.2',
      HTTP_BODY_LIMIT: '64kb',
      GRPC_MAX_MESSAGE_BYTES: '262144',
      INGESTION_PUBLISH_INTERVAL_MS: '50',
    });
    grpc = grpcTestClient('ingestion', t.app.grpcUrl);
    ds = t.app.app.get(DataSource);
    events = await collectEvents(t.bus, [
      'events.v1.interaction',
      'catalog.v1.item',
      'sales.v1.line',
      'stock.v1.position',
    ]);
  });

  afterAll(async () => {
    await events?.close();
    grpc?.close();
    await t?.close();
  });

  it('stores the good records of a batch, quarantines each class of bad one with reasons, and publishes the good ones cleaned', async () => {
    const good = anInteraction({
      userId: '  u-clean ',
      itemId: 'sku-9',
      type: 'purchase',
      quantity: 2,
      unitPrice: { amount: '12.00', currency: 'GBP' },
      priceIncludesTax: true,
      occurredAt: '2026-03-29T02:30:00+02:00',
    });
    const { status: code, body } = await post('/v1/interactions', {
      interactions: [
        good,
        anInteraction({ itemId: undefined }),
        anInteraction({ occurredAt: 'yesterday-ish' }),
        anInteraction({ type: 'teleport' }),
        anInteraction({ type: 'purchase', quantity: -3, unitPrice: { amountMinor: 100, currencyCode: 'GBP' } }),
        anInteraction({ occurredAt: new Date(Date.now() + 86_400_000).toISOString() }),
        anInteraction({ quantity: 'lots', type: 'add_to_cart' }),
        'not a record',
      ],
    });
    expect(code).toBe(200);
    expect(body.summary).toEqual({ received: 8, accepted: 1, duplicates: 0, quarantined: 7 });
    expect(body.results.map((r) => r.status)).toEqual(['accepted', ...Array(7).fill('quarantined')]);
    const codes = body.results.slice(1).map((r) => r.errors.map((e) => `${e.field}:${e.code}`));
    expect(codes).toEqual([
      ['itemId:FIELD.REQUIRED'],
      ['occurredAt:TIME.INVALID'],
      ['type:TYPE.UNKNOWN'],
      ['quantity:QUANTITY.NEGATIVE'],
      ['occurredAt:TIME.FAR_FUTURE'],
      ['quantity:FIELD.WRONG_TYPE'],
      [':RECORD.NOT_AN_OBJECT'],
    ]);
    expect(body.results[0].flags).toEqual(
      expect.arrayContaining([
        'TIME_NORMALISED',
        'ID_NORMALISED',
        'UNKNOWN_USER_REGISTERED',
        'UNKNOWN_ITEM_REGISTERED',
      ]),
    );
    expect(await count(`SELECT count(*) AS n FROM quarantined_record WHERE state = 'pending'`)).toBe(7);

    const [published] = await eventually(
      async () => events.of('events.v1.interaction').filter((e) => e.msgId === body.results[0].key),
      (found) => found.length === 1,
      'the accepted purchase on JetStream',
    );
    expect(published.data).toMatchObject({
      userId: 'u-clean',
      itemId: 'sku-9',
      type: 'purchase',
      quantity: 2,
      unitPriceMinor: 1000, // £12.00 with 20% VAT → £10.00 net
      currency: 'GBP',
      occurredAt: '2026-03-29T00:30:00.000Z',
      newUser: true,
      newItem: true,
    });
  });

  it('refuses a malformed or oversized request as a whole, naming the field, and stores nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM ingested_record`);
    const tooMany = await post('/v1/interactions', { interactions: Array.from({ length: 51 }, () => anInteraction()) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('BATCH.TOO_LARGE');
    expect(tooMany.body.error.violations[0].field).toBe('interactions');
    const missing = await post('/v1/interactions', { events: [] });
    expect(missing.status).toBe(400);
    expect(missing.body.error.violations[0].field).toBe('interactions');
    const notJson = await post('/v1/interactions', '{"interactions": [', true);
    expect(notJson.status).toBe(400);
    const huge = await post('/v1/interactions', {
      interactions: [anInteraction({ context: { page: 'x'.repeat(70_000) } })],
    });
    expect(huge.status).toBe(413);

    const grpcTooMany = await grpc
      .call('ingestInteractions', {
        interactions: Array.from({ length: 51 }, () => ({
          eventId: 'x',
          userId: 'u',
          itemId: 'i',
          type: 'INTERACTION_TYPE_VIEW',
        })),
      })
      .catch((e: unknown) => e as { code: number });
    expect(grpcTooMany).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(errorFromGrpc(grpcTooMany as never).violations[0].field).toBe('interactions');
    const grpcHuge = await grpc
      .call('ingestInteractions', {
        interactions: Array.from({ length: 5 }, (_, i) => ({
          eventId: `big-${i}`,
          userId: 'u',
          itemId: 'i',
          type: 'INTERACTION_TYPE_VIEW',
          context: { page: 'x'.repeat(60_000) },
        })),
      })
      .catch((e: unknown) => e as { code: number });
    expect(grpcHuge).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    expect(await count(`SELECT count(*) AS n FROM ingested_record`)).toBe(before);
  });

  it('stores repeats once, within and across batches and transports, and publishes them once', async () => {
    const a = anInteraction({ userId: 'u-dup' });
    const noId = anInteraction({
      userId: 'u-dup',
      eventId: undefined,
      itemId: 'sku-hash',
      occurredAt: '2026-11-01T10:00:00Z',
    });
    const first = await post('/v1/interactions', { interactions: [a, a, noId, { ...noId }] });
    expect(first.body.results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'accepted', 'duplicate']);
    const again = await post('/v1/interactions', { interactions: [a, noId] });
    expect(again.body.summary).toMatchObject({ accepted: 0, duplicates: 2 });
    const viaGrpc = await grpc.call<ingestionV1.IngestInteractionsResponse>('ingestInteractions', {
      interactions: [
        {
          eventId: a.eventId,
          userId: 'u-dup',
          itemId: 'sku-1',
          type: 'INTERACTION_TYPE_VIEW',
          occurredAt: toTimestamp(Date.parse(a.occurredAt as string)),
        },
      ],
    });
    expect(viaGrpc.results[0].status).toBe(ingestionV1.RecordStatus.DUPLICATE);
    expect(viaGrpc.results[0].recordKey).toBe(first.body.results[0].key);
    expect(await count(`SELECT count(*) AS n FROM ingested_record WHERE raw::text LIKE '%u-dup%'`)).toBe(2);
    await t.app.app.get(EventLogPublisher).drained();
    const keys = [first.body.results[0].key, first.body.results[2].key];
    await eventually(
      async () => events.of('events.v1.interaction').filter((e) => keys.includes(e.msgId)).length,
      (n) => n === 2,
      'both distinct events',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(events.of('events.v1.interaction').filter((e) => keys.includes(e.msgId))).toHaveLength(2);
  });

  it('takes a client stream of batches and answers once with the totals and the non-accepted results', async () => {
    const batch = (n: number, user: string) =>
      Array.from({ length: n }, (_, i) => ({
        eventId: `stream-${user}-${i}`,
        userId: user,
        itemId: `sku-${i % 7}`,
        type: 'INTERACTION_TYPE_CLICK',
        occurredAt: toTimestamp(Date.now() - 3_600_000 + i * 1000),
      }));
    const bad = { eventId: 'stream-bad', sessionId: 's-1', itemId: 'sku-1', type: 'INTERACTION_TYPE_UNSPECIFIED' };
    const answer = await grpc.clientStream<ingestionV1.StreamInteractionsResponse>('streamInteractions', [
      { interactions: batch(40, 'su-1') },
      { interactions: [...batch(10, 'su-2'), bad] },
      { interactions: batch(5, 'su-1') }, // repeats of the first message
    ]);
    expect(answer.summary).toEqual({ received: 56, accepted: 50, duplicates: 5, quarantined: 1 });
    expect(answer.results.find((r) => r.status === ingestionV1.RecordStatus.QUARANTINED)).toMatchObject({
      index: 50,
      errors: [expect.objectContaining({ field: 'type', code: 'FIELD.REQUIRED' })], // UNSPECIFIED is no type
    });
    expect(answer.results.filter((r) => r.status === ingestionV1.RecordStatus.DUPLICATE).map((r) => r.index)).toEqual([
      51, 52, 53, 54, 55,
    ]);
  });

  it('ingests the catalogue, sales, stock and supply parameters over gRPC and publishes them cleaned', async () => {
    const items = await grpc.call<ingestionV1.IngestItemsResponse>('ingestItems', {
      items: [
        {
          itemId: 'sku-cat-1',
          title: 'Hose',
          categories: ['Garden', 'Watering'],
          price: { amountMinor: 1999, currencyCode: 'EUR' },
        },
        { itemId: 'sku-cat-2', title: 'Old hose', available: false, discontinued: true },
      ],
    });
    expect(items.summary).toMatchObject({ accepted: 2 });
    const users = await grpc.call<ingestionV1.IngestUsersResponse>('ingestUsers', {
      users: [{ userId: 'u-cat', personalisationConsent: 'CONSENT_STATE_GRANTED', attributes: { country: 'DE' } }],
    });
    expect(users.summary).toMatchObject({ accepted: 1 });
    const sales = await grpc.call<ingestionV1.IngestSalesResponse>('ingestSales', {
      lines: [
        {
          lineId: 'inv-1:1',
          invoiceId: 'inv-1',
          sku: 'sku-cat-1',
          storeId: 'S1',
          quantity: 3,
          unitPrice: { amountMinor: 1999, currencyCode: 'EUR' },
          soldAt: toTimestamp(Date.parse('2026-11-19T10:00:00Z')),
        },
        {
          lineId: 'inv-2:1',
          invoiceId: 'inv-2',
          sku: 'sku-cat-1',
          storeId: 'S1',
          quantity: 1,
          type: 'SALES_LINE_TYPE_RETURN',
          unitPrice: { amountMinor: 1999, currencyCode: 'EUR' },
          soldAt: toTimestamp(Date.parse('2026-11-19T12:00:00Z')),
        },
      ],
    });
    expect(sales.summary).toMatchObject({ accepted: 2 });
    const supply = await grpc.call<ingestionV1.IngestSupplyParametersResponse>('ingestSupplyParameters', {
      parameters: [
        { sku: 'sku-cat-1', leadTimeDays: 5, unitCost: { amountMinor: 900, currencyCode: 'EUR' }, packSize: 6 },
      ],
    });
    expect(supply.summary).toMatchObject({ accepted: 1 });

    const catalogue = await eventually(
      async () => events.of('catalog.v1.item').filter((e) => String(e.data.itemId).startsWith('sku-cat-')),
      (found) => found.length === 2,
      'both items',
    );
    const byId = Object.fromEntries(catalogue.map((e) => [e.data.itemId, e.data]));
    expect(byId['sku-cat-1']).toMatchObject({
      available: true,
      discontinued: false,
      priceMinor: 1999,
      categories: ['Garden', 'Watering'],
    });
    expect(byId['sku-cat-2']).toMatchObject({ available: false, discontinued: true });
    const lines = await eventually(
      async () => events.of('sales.v1.line').filter((e) => e.data.sku === 'sku-cat-1'),
      (found) => found.length === 2,
      'both sales lines',
    );
    expect(lines.map((l) => [l.data.kind, l.data.quantity]).sort()).toEqual([
      ['return', -1],
      ['sale', 3],
    ]);
    // Items that came through the catalogue are not flagged as registered on the fly by later sales.
    expect(sales.results.flatMap((r) => r.flags)).not.toContain(ingestionV1.RecordFlag.UNKNOWN_ITEM_REGISTERED);
  });

  it('quarantines bursts beyond the bot rule', async () => {
    const at = '2026-11-10T10:00:00.500Z';
    const burst = Array.from({ length: 8 }, (_, i) =>
      anInteraction({ userId: 'u-bot', itemId: `b-${i}`, occurredAt: at }),
    );
    const { body } = await post('/v1/interactions', { interactions: burst });
    expect(body.summary).toMatchObject({ accepted: 5, quarantined: 3 });
    expect(body.results[7].errors[0].code).toBe('BOT.RATE_EXCEEDED');
    // A client retrying the batch is not a burst: the five stored ones come back as duplicates.
    const retry = await post('/v1/interactions', { interactions: burst.slice(0, 5) });
    expect(retry.body.summary).toMatchObject({ accepted: 0, duplicates: 5, quarantined: 0 });
    // The same user one second later is human again.
    const later = await post('/v1/interactions', {
      interactions: [anInteraction({ userId: 'u-bot', occurredAt: '2026-11-10T10:00:01.200Z' })],
    });
    expect(later.body.summary.accepted).toBe(1);
  });

  it('lists quarantined records by reason and replays them after a correction', async () => {
    const broken = anInteraction({ userId: 'u-fix', occurredAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    const { body } = await post('/v1/interactions', { interactions: [broken] });
    const quarantineId = body.results[0].quarantineId!;
    const listed = (await (
      await fetch(`${t.app.httpUrl}/v1/quarantine?reasonCode=TIME.FAR_FUTURE&state=pending`)
    ).json()) as {
      records: { id: string; payload: Record<string, unknown>; reasons: { code: string }[] }[];
      totalSize: number;
    };
    expect(listed.records.map((r) => r.id)).toContain(quarantineId);
    expect(listed.records.find((r) => r.id === quarantineId)?.payload).toMatchObject({ userId: 'u-fix' });

    const viaGrpc = await grpc.call<ingestionV1.ListQuarantinedRecordsResponse>('listQuarantinedRecords', {
      reasonCode: 'TIME.FAR_FUTURE',
      kind: ingestionV1.RecordKind.INTERACTION,
      pageSize: 1,
    });
    expect(viaGrpc.records).toHaveLength(1);
    expect(viaGrpc.totalSize).toBe(listed.totalSize);

    const stillBad = await post('/v1/quarantine/replay', { quarantineIds: [quarantineId] });
    expect(stillBad.body.results[0]).toMatchObject({ status: 'quarantined', quarantineId });
    const fixed = await post('/v1/quarantine/replay', {
      quarantineIds: [quarantineId],
      corrections: { [quarantineId]: { ...broken, occurredAt: '2026-11-01T08:00:00Z' } },
    });
    expect(fixed.body.summary).toMatchObject({ accepted: 1 });
    const [row] = (await ds.query(`SELECT state, replay_attempts FROM quarantined_record WHERE id = $1`, [
      quarantineId,
    ])) as {
      state: string;
      replay_attempts: number;
    }[];
    expect(row).toEqual({ state: 'replayed', replay_attempts: 2 });
    await eventually(
      async () => events.of('events.v1.interaction').filter((e) => e.data.userId === 'u-fix').length,
      (n) => n === 1,
      'the replayed event',
    );
  });

  it('ingests submissions from the NATS subject, quarantining bad records', async () => {
    await t.bus.publish(
      'ingest.v1.submission',
      {
        kind: 'stock_position',
        records: [
          { sku: 'sku-n', storeId: 'S1', onHand: 4, onOrder: 10, observedAt: '2026-11-20T08:00:00Z' },
          { sku: 'sku-n', storeId: 'S1', onHand: 4, onOrder: -1, observedAt: '2026-11-20T08:00:00Z' },
        ],
      },
      { msgId: 'submission-1' },
    );
    const [position] = await eventually(
      async () => events.of('stock.v1.position').filter((e) => e.data.sku === 'sku-n'),
      (found) => found.length === 1,
      'the stock position',
    );
    expect(position.data).toMatchObject({ onHand: 4, onOrder: 10, observedAt: '2026-11-20T08:00:00.000Z' });
    await eventually(
      () =>
        count(
          `SELECT count(*) AS n FROM quarantined_record WHERE source = 'nats' AND 'QUANTITY.NEGATIVE' = ANY(reason_codes)`,
        ),
      (n) => n === 1,
      'the bad position in quarantine',
    );
  });

  it('exposes counts and publish lag as stats and Prometheus metrics', async () => {
    const stats = (await (await fetch(`${t.app.httpUrl}/v1/ingestion/stats`)).json()) as {
      totals: { accepted: number; quarantined: number; duplicates: number; rejectedRequests: number };
      publishLag: { records: number; published: number };
    };
    expect(stats.totals.accepted).toBeGreaterThan(50);
    expect(stats.totals.rejectedRequests).toBeGreaterThanOrEqual(3);
    expect(stats.publishLag.published).toBeGreaterThan(50);
    const metrics = await (await fetch(`${t.app.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/ingestion_records_total\{[^}]*kind="interaction"[^}]*status="accepted"[^}]*\} \d+/);
    expect(metrics).toMatch(/ingestion_batch_duration_seconds_bucket\{[^}]*endpoint="grpc.StreamInteractions"/);
    expect(metrics).toMatch(/ingestion_publish_lag_records\{[^}]*\} \d+/);
  });
});

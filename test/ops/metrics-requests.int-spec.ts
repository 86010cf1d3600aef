import { status } from '@grpc/grpc-js';
import { dssV1 } from '@app/contracts';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { randomUUID } from 'node:crypto';
import { DssModule } from '../../apps/dss/src/dss.module';
import { scrape, select, total } from './prometheus-text';

/*
 * Request, consumer, outbox and computation metrics of a real service (the DSS: REST, gRPC, durable
 * consumers, the platform outbox), read the way Prometheus reads them: GET /metrics.
 */
describe('metrics of a running service (DSS, real PostgreSQL and NATS)', () => {
  let t: TestApp;
  let rpc: GrpcTestClient;
  const http = (path: string, init?: RequestInit) =>
    fetch(`${t.app.httpUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (err: { code: number }) => err,
    );

  beforeAll(async () => {
    t = await startTestApp('dss', (env) => DssModule.register({ env }));
    rpc = grpcTestClient('dss', t.app.grpcUrl);
  });

  afterAll(async () => {
    rpc?.close();
    await t?.close();
  });

  it('counts HTTP requests per route pattern and status, and times them, without probes and scrapes', async () => {
    expect((await http(`/v1/computations/${randomUUID()}`)).status).toBe(404);
    expect((await http(`/v1/computations/${randomUUID()}`)).status).toBe(404);
    expect((await http('/v1/computations/not-a-uuid')).status).toBe(400);
    const created = await http('/v1/computations', {
      method: 'POST',
      body: JSON.stringify({ scope: { storeId: 'S-METRICS' }, requestedBy: 'ops' }),
    });
    expect(created.status).toBe(202);
    expect((await http('/no/such/route/42')).status).toBe(404);
    expect((await http('/health/live')).status).toBe(200);
    await scrape(t.app.httpUrl);

    const { samples } = await scrape(t.app.httpUrl);
    const route = '/v1/computations/:id';
    expect(total(samples, 'http_server_requests_total', { method: 'GET', route, status: '404' })).toBe(2);
    expect(total(samples, 'http_server_requests_total', { method: 'GET', route, status: '400' })).toBe(1);
    expect(
      total(samples, 'http_server_requests_total', { method: 'POST', route: '/v1/computations', status: '202' }),
    ).toBe(1);
    expect(total(samples, 'http_server_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // Patterns only: no raw URL, no probe, no scrape.
    const routes = new Set(select(samples, 'http_server_requests_total').map((s) => s.labels.route));
    expect([...routes].sort()).toEqual(['/v1/computations', '/v1/computations/:id', 'unmatched']);
    expect(select(samples, 'http_server_requests_total').every((s) => s.labels.app === 'dss')).toBe(true);

    const duration = { method: 'GET', route };
    expect(total(samples, 'http_server_request_duration_seconds_count', duration)).toBe(3);
    expect(total(samples, 'http_server_request_duration_seconds_bucket', { ...duration, le: '+Inf' })).toBe(3);
    expect(total(samples, 'http_server_request_duration_seconds_sum', duration)).toBeGreaterThan(0);
    const buckets = select(samples, 'http_server_request_duration_seconds_bucket', duration).map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b)); // cumulative
  });

  it('counts gRPC calls per method and status code, unary and streaming, and times them', async () => {
    const missing = await failure(rpc.call('GetComputation', { computationId: randomUUID() }));
    expect(missing.code).toBe(status.NOT_FOUND);
    const invalid = await failure(rpc.call('GetComputation', { computationId: 'nope' }));
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    const report = await rpc.stream<dssV1.GetReportResponse>('GetReport', {
      kind: 'REPORT_KIND_OVERVIEW',
      format: 'REPORT_FORMAT_JSON',
      scope: { storeId: 'S-METRICS' },
    });
    expect(report.length).toBeGreaterThan(0);

    const { samples } = await scrape(t.app.httpUrl);
    const service = 'retail.dss.v1.DssService';
    const calls = (method: string, code: string) =>
      total(samples, 'grpc_server_requests_total', { service, method, code });
    expect(calls('GetComputation', 'NOT_FOUND')).toBe(1);
    expect(calls('GetComputation', 'INVALID_ARGUMENT')).toBe(1);
    expect(calls('GetReport', 'OK')).toBe(1);
    expect(total(samples, 'grpc_server_request_duration_seconds_count', { service, method: 'GetComputation' })).toBe(2);
    expect(total(samples, 'grpc_server_request_duration_seconds_count', { service, method: 'GetReport' })).toBe(1);
    expect(select(samples, 'grpc_server_requests_total').every((s) => s.labels.service === service)).toBe(true);
  });

  it('counts what each durable consumer did with its messages, dead letters included', async () => {
    const line = (lineId: string, quantity: unknown) =>
      t.bus.publish(
        'sales.v1.line',
        {
          lineId,
          sku: 'M1',
          storeId: 'S-METRICS',
          quantity,
          kind: 'sale',
          unitPriceMinor: 100,
          currency: 'EUR',
          occurredAt: '2026-11-18T10:00:00.000Z',
        },
        { msgId: lineId },
      );
    await line('metrics-1', 2);
    await line('metrics-2', 3);
    await line('metrics-bad', 'three'); // breaks the schema: parked on the DLQ at once
    const { samples } = await eventually(
      () => scrape(t.app.httpUrl),
      (s) => total(s.samples, 'messaging_consumer_processed_total', { consumer: 'dss-sales' }) >= 3,
      'the sales consumer to settle three messages',
    );
    const processed = (outcome: string) =>
      total(samples, 'messaging_consumer_processed_total', { consumer: 'dss-sales', outcome });
    expect(processed('ack')).toBe(2);
    expect(processed('dead_letter')).toBe(1);
    expect(processed('retry')).toBe(0);
    expect(total(samples, 'messaging_dead_letter_total', { consumer: 'dss-sales' })).toBe(1);
    // Every consumer of the app reports its lag, caught up here.
    const lag = await eventually(
      () => scrape(t.app.httpUrl),
      (s) => total(s.samples, 'messaging_consumer_pending_messages', { consumer: 'dss-sales' }) === 0,
      'the sales consumer to have nothing pending',
    );
    const consumers = select(lag.samples, 'messaging_consumer_pending_messages').map((s) => s.labels.consumer);
    expect(consumers.sort()).toEqual(['dss-catalog', 'dss-sales', 'dss-stock', 'dss-supply']);
    expect(select(lag.samples, 'messaging_consumer_pending_messages', { consumer: 'dss-sales' })[0].labels.stream).toBe(
      `${t.namespace.toUpperCase()}_EVENTS`,
    );
  });

  it('reports the outbox backlog and the computations that ended, with their duration and pairs', async () => {
    const requested = await http('/v1/computations', {
      method: 'POST',
      body: JSON.stringify({ scope: { storeId: 'S-METRICS' }, requestedBy: 'ops', requestId: 'metrics-run' }),
    });
    const { computation } = (await requested.json()) as { computation: { computationId: string } };
    await eventually(
      async () => {
        const res = await http(`/v1/computations/${computation.computationId}`);
        return ((await res.json()) as { computation: { state: string } }).computation.state;
      },
      (state) => state === 'succeeded',
      'the computation to succeed',
    );
    const { samples } = await eventually(
      () => scrape(t.app.httpUrl),
      (s) => total(s.samples, 'dss_computations_total', { outcome: 'succeeded' }) >= 2,
      'both computations to be counted',
    );
    expect(total(samples, 'dss_computations_total', { outcome: 'failed' })).toBe(0);
    expect(total(samples, 'dss_computation_duration_seconds_count', { outcome: 'succeeded' })).toBe(
      total(samples, 'dss_computations_total', { outcome: 'succeeded' }),
    );
    // The sales line above made one SKU × store pair in the store.
    expect(total(samples, 'dss_computation_pairs_total', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'dss_computations_in_progress', { state: 'running' })).toBe(0);
    // The DSS announces suggestions through the platform outbox; the relay keeps it drained.
    const outbox = await eventually(
      () => scrape(t.app.httpUrl),
      (s) =>
        select(s.samples, 'outbox_backlog_messages', { outbox: 'messaging_outbox' }).length === 1 &&
        total(s.samples, 'outbox_backlog_messages', { outbox: 'messaging_outbox' }) === 0,
      'the outbox backlog to be reported, drained',
    );
    expect(select(outbox.samples, 'outbox_oldest_message_age_seconds', { outbox: 'messaging_outbox' })).toEqual([
      expect.objectContaining({ value: 0 }),
    ]);
  });
});

import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { ingestionV1 } from '@app/contracts';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { DataSource } from 'typeorm';
import { IngestionModule } from '../src/ingestion.module';
import { collectEvents } from './ingestion.test-kit';

const FIXTURE = join(__dirname, 'fixtures', 'online-retail.sample.csv');

describe('Import jobs through the API (real PostgreSQL and NATS)', () => {
  let t: TestApp;
  let grpc: GrpcTestClient;
  let ds: DataSource;

  beforeAll(async () => {
    t = await startTestApp('ingestion', (env) => IngestionModule.register({ env }), {
      INGESTION_PUBLISH_INTERVAL_MS: '50',
    });
    grpc = grpcTestClient('ingestion', t.app.grpcUrl);
    ds = t.app.app.get(DataSource);
  });

  afterAll(async () => {
    grpc?.close();
    await t?.close();
  });

  it('imports the Online Retail layout over gRPC with the right summary and publishes sales, purchases and items', async () => {
    const events = await collectEvents(t.bus, ['sales.v1.line', 'events.v1.interaction', 'catalog.v1.item']);
    try {
      const started = await grpc.call<ingestionV1.StartImportJobResponse>('startImportJob', {
        jobId: 'or-sample',
        format: ingestionV1.ImportFormat.ONLINE_RETAIL,
        sourceUri: `file://${FIXTURE}`,
        defaultStoreId: 'uk-web',
      });
      expect(started.job?.state).toBe(ingestionV1.ImportJobState.RUNNING);
      const { job } = await eventually(
        () => grpc.call<ingestionV1.GetImportJobResponse>('getImportJob', { jobId: 'or-sample' }),
        (r) => r.job?.state === ingestionV1.ImportJobState.SUCCEEDED,
        'the import to finish',
      );
      // 31 data rows: 16 skipped on purpose (12 non-products, a bad-debt invoice, a stock adjustment, a
      // free stock booking, a blank line), one malformed row quarantined as it was.
      expect(job?.counts).toMatchObject({ rowsRead: 31, skipped: 16, returns: 3, anonymousRows: 3, duplicates: 0 });
      expect(job?.progress).toMatchObject({ done: job?.progress?.total });
      const [stored] = (await ds.query(
        `SELECT count(*) FILTER (WHERE kind = 'sales_line') AS sales, count(*) FILTER (WHERE kind = 'interaction') AS purchases,
                count(*) FILTER (WHERE kind = 'item') AS items FROM ingested_record WHERE import_job_id = 'or-sample'`,
      )) as { sales: string; purchases: string; items: string }[];
      const quarantined = (await ds.query(
        `SELECT reason_codes FROM quarantined_record WHERE import_job_id = 'or-sample'`,
      )) as { reason_codes: string[] }[];
      expect(quarantined.map((q) => q.reason_codes)).toContainEqual(['ROW.WRONG_COLUMN_COUNT']);
      expect(Number(stored.sales) + Number(stored.purchases) + Number(stored.items) + quarantined.length).toBe(
        (job?.counts?.accepted ?? 0) + (job?.counts?.quarantined ?? 0),
      );
      expect(Number(stored.sales) - Number(stored.purchases)).toBe(3); // returns are sales lines, not purchases

      const sales = await eventually(
        async () => events.of('sales.v1.line'),
        (found) => found.length === Number(stored.sales),
        'every sales line on JetStream',
      );
      const returns = sales.filter((s) => s.data.kind === 'return');
      expect(returns).toHaveLength(3);
      expect(returns.every((r) => (r.data.quantity as number) < 0 && r.data.storeId === 'uk-web')).toBe(true);
      // UK wall-clock in winter is UTC; in summer it is an hour ahead.
      const first = sales.find((s) => String(s.data.lineId).startsWith('536365:'));
      expect(first?.data.occurredAt).toBe('2010-12-01T08:26:00.000Z');
      const anonymous = events.of('events.v1.interaction').filter((e) => e.data.sessionId !== undefined);
      expect(anonymous.length).toBeGreaterThan(0);
      expect(anonymous.every((e) => String(e.data.sessionId).startsWith('invoice-'))).toBe(true);

      // Starting a finished job again changes nothing.
      const again = await grpc.call<ingestionV1.StartImportJobResponse>('startImportJob', {
        jobId: 'or-sample',
        format: ingestionV1.ImportFormat.ONLINE_RETAIL,
        sourceUri: `file://${FIXTURE}`,
      });
      expect(again.job?.state).toBe(ingestionV1.ImportJobState.SUCCEEDED);
      const listed = await grpc.call<ingestionV1.ListImportJobsResponse>('listImportJobs', {
        state: ingestionV1.ImportJobState.SUCCEEDED,
      });
      expect(listed.jobs.map((j) => j.jobId)).toEqual(['or-sample']);
    } finally {
      await events.close();
    }
  });

  it('refuses an import it cannot run, naming the field', async () => {
    const missing = await grpc
      .call('startImportJob', { format: ingestionV1.ImportFormat.CSV, sourceUri: FIXTURE })
      .catch((e: unknown) => e as { code: number; details: string });
    expect(missing).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('kind') });
    const nowhere = await fetch(`${t.app.httpUrl}/v1/import-jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'movielens', sourceUri: '/nowhere/u.data' }),
    });
    expect(nowhere.status).toBe(400);
    expect(((await nowhere.json()) as { error: { violations: { field: string }[] } }).error.violations[0].field).toBe(
      'sourceUri',
    );
    const unknown = await fetch(`${t.app.httpUrl}/v1/import-jobs/no-such-job`);
    expect(unknown.status).toBe(404);
  });
});

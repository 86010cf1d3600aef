import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { IngestionModule } from '../../apps/ingestion/src/ingestion.module';
import { anInteraction } from '../../apps/ingestion/test/ingestion.test-kit';
import { scrape, select, total } from './prometheus-text';

/* Ingestion's outbox (its event log) next to the platform outbox, under the shared names, the old names kept. */
describe('ingestion outbox metrics (real PostgreSQL and NATS)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('ingestion', (env) => IngestionModule.register({ env }), {
      INGESTION_PUBLISH_INTERVAL_MS: '50',
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('reports the event log as the ingestion_event_log outbox, drained once JetStream has the records', async () => {
    const res = await fetch(`${t.app.httpUrl}/v1/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ interactions: [anInteraction(), anInteraction()] }),
    });
    expect(res.status).toBeLessThan(300);
    const { samples } = await eventually(
      () => scrape(t.app.httpUrl),
      (s) =>
        total(s.samples, 'ingestion_published_records') >= 2 &&
        select(s.samples, 'outbox_backlog_messages', { outbox: 'ingestion_event_log' }).length === 1,
      'the two records to be published',
    );
    expect(total(samples, 'outbox_backlog_messages', { outbox: 'ingestion_event_log' })).toBe(0);
    expect(total(samples, 'outbox_oldest_message_age_seconds', { outbox: 'ingestion_event_log' })).toBe(0);
    expect(total(samples, 'ingestion_publish_lag_records')).toBe(0); // the old name, same figure
    // The platform outbox of the same service is reported beside it.
    expect(
      select(samples, 'outbox_backlog_messages')
        .map((s) => s.labels.outbox)
        .sort(),
    ).toEqual(['ingestion_event_log', 'messaging_outbox']);
    expect(total(samples, 'ingestion_records_total', { kind: 'interaction', status: 'accepted' })).toBe(2);
    expect(
      total(samples, 'http_server_requests_total', {
        method: 'POST',
        route: '/v1/interactions',
        status: String(res.status),
      }),
    ).toBe(1);
  });
});

import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect } from 'nats';
import { recommendationV1 } from '@app/contracts';
import { AppName } from '@app/platform/config/platform.config';
import { MessagingNames } from '@app/platform/messaging';
import {
  buildIfStale,
  createTestDatabase,
  deleteNamespaceStreams,
  freePort,
  TEST_NATS_URL,
  TestDatabase,
  uniqueNamespace,
} from '@app/testing';
import { eventually } from '@app/testing/app';
import { grpcTestClient } from '@app/testing/grpc';
import { OTLP_SPAN_KIND as KIND, OtlpTraceReceiver, ReceivedSpan } from './otlp.receiver';
import { builtMain, ServiceProcess } from './service.process';

/*
 * One storefront page, one trace, across separate processes. The test plays the storefront: its page
 * has a trace id, and it sends a shopper's view to ingestion over REST and asks the recommendation
 * service over gRPC, each call under a span of its own (a `traceparent` it makes). Ingestion, the
 * feature store and the recommendation service run from dist/ as child processes on their own
 * databases and a NATS namespace, exporting over OTLP/HTTP to a receiver inside the test. The training
 * service is not started: recommendation serves its fallbacks, which still ask the feature store.
 */

const APPS: AppName[] = ['ingestion', 'feature-store', 'recommendation'];
const START_BOUND_MS = 120_000;
/** Spans leave a process within OTEL_BSP_SCHEDULE_DELAY; the bound is for a busy machine. */
const SPANS_BOUND_MS = 60_000;
const SHOPPER = 'u-trace-1';

const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A span of a storefront page: the parent the test gives one of its calls. */
function storefrontSpan(traceId: string): { spanId: string; traceparent: string } {
  const spanId = randomHex(8);
  return { spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

describe('one trace per storefront request (OTLP export from separate processes)', () => {
  const receiver = new OtlpTraceReceiver();
  const namespace = uniqueNamespace('trace');
  const names = new MessagingNames(namespace);
  const services = new Map<AppName, ServiceProcess>();
  const extraServices: ServiceProcess[] = [];
  const databases: TestDatabase[] = [];
  const namespaces = [namespace];
  /** The page's trace, and the storefront's own spans in it (the storefront would export those itself). */
  const page = randomHex(16);
  const storefrontSpanIds: string[] = [];
  const pageSpan = () => {
    const span = storefrontSpan(page);
    storefrontSpanIds.push(span.spanId);
    return span;
  };
  let recommendationGrpc = '';

  async function startService(
    app: AppName,
    ns: string,
    env: Record<string, string>,
  ): Promise<{ service: ServiceProcess; grpcPort: number }> {
    const db = await createTestDatabase(`trace_${app.replace(/-/g, '_')}`);
    databases.push(db);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const service = new ServiceProcess(app, `http://127.0.0.1:${httpPort}`, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      BIND_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      DATABASE_URL: db.url,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: ns,
      ...env,
    });
    return { service, grpcPort };
  }

  beforeAll(async () => {
    buildIfStale(APPS.map(builtMain));
    await receiver.start();
    const exportTo = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
    const featureStore = await startService('feature-store', namespace, exportTo);
    services.set('feature-store', featureStore.service);
    const ingestion = await startService('ingestion', namespace, exportTo);
    services.set('ingestion', ingestion.service);
    const recommendation = await startService('recommendation', namespace, {
      ...exportTo,
      FEATURE_STORE_GRPC_URL: `127.0.0.1:${featureStore.grpcPort}`,
      TRAINING_GRPC_URL: `127.0.0.1:${await freePort()}`,
      // Generous: a call cut short by its deadline would still leave its spans, but less to check.
      RECOMMENDATION_FEATURE_TIMEOUT_MS: '10000',
    });
    services.set('recommendation', recommendation.service);
    recommendationGrpc = `127.0.0.1:${recommendation.grpcPort}`;
    await Promise.all([...services.values()].map((s) => s.ready(START_BOUND_MS)));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([...services.values(), ...extraServices].map((s) => s.stop()));
    await receiver.stop();
    for (const db of databases) await db.drop();
    for (const ns of namespaces) await deleteNamespaceStreams(ns);
  }, 120_000);

  const byId = () => new Map(receiver.spans.map((s) => [s.spanId, s]));

  /** True if `ancestorId` is on the parent chain of `span` (as far as the spans received go). */
  function descendsFrom(span: ReceivedSpan, ancestorId: string, spans = byId()): boolean {
    for (let parent = span.parentSpanId; parent; parent = spans.get(parent)?.parentSpanId ?? '') {
      if (parent === ancestorId) return true;
    }
    return false;
  }

  function spanWhere(what: string, predicate: (s: ReceivedSpan) => boolean): Promise<ReceivedSpan> {
    return eventually(
      async () => receiver.spans.find(predicate),
      (s) => s !== undefined,
      what,
      SPANS_BOUND_MS,
    ) as Promise<ReceivedSpan>;
  }

  /**
   * The page's trace is whole: every span's parent is a span of the trace or one of the storefront's.
   * Parents end after their children, so they may come a batch later: wait for them.
   */
  async function expectWholeTrace(): Promise<ReceivedSpan[]> {
    const orphans = () => {
      const spans = byId();
      return receiver.spans
        .filter((s) => s.traceId === page && !spans.has(s.parentSpanId) && !storefrontSpanIds.includes(s.parentSpanId))
        .map((s) => `${s.service}: ${s.name} (parent ${s.parentSpanId || 'none'})`);
    };
    await eventually(
      async () => orphans(),
      (o) => o.length === 0,
      'every span of the trace to have its parent',
      SPANS_BOUND_MS,
    ).catch(() => undefined);
    expect(orphans()).toEqual([]);
    expect(receiver.failures).toEqual([]);
    return receiver.spans.filter((s) => s.traceId === page);
  }

  it('follows a shopper view from the storefront through ingestion, PostgreSQL and NATS to both consumers', async () => {
    const view = pageSpan();
    const res = await fetch(`${services.get('ingestion')!.httpUrl}/v1/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: view.traceparent },
      body: JSON.stringify({ interactions: [{ eventId: 'trace-e1', userId: SHOPPER, itemId: 'sku-7', type: 'view' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { summary: { accepted: number } }).summary.accepted).toBe(1);

    // Ingestion: the HTTP server span is the storefront span's child; the rows are stored under it.
    const server = await spanWhere(
      'the ingestion HTTP server span',
      (s) => s.traceId === page && s.kind === KIND.SERVER,
    );
    expect(server).toMatchObject({
      service: 'ingestion',
      name: 'POST /v1/interactions',
      parentSpanId: view.spanId,
    });
    const stored = receiver.spans.filter(
      (s) => s.traceId === page && s.kind === KIND.CLIENT && s.name.startsWith('pg.query:INSERT'),
    );
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((s) => s.service === 'ingestion' && descendsFrom(s, server.spanId))).toBe(true);

    // The stored log is published later, by another loop: the publish still continues the request.
    const subject = names.subject('events.v1.interaction');
    const publish = await spanWhere('the publish span', (s) => s.traceId === page && s.kind === KIND.PRODUCER);
    expect(publish).toMatchObject({
      service: 'ingestion',
      name: `${subject} publish`,
      attributes: expect.objectContaining({
        'messaging.system': 'nats',
        'messaging.destination.name': subject,
        'messaging.message.id': 'interaction:id:trace-e1',
      }),
    });
    expect(descendsFrom(publish, server.spanId)).toBe(true);
    const publishLink = { traceId: page, spanId: publish.spanId };
    // The round that published it (messages of many requests) links to it rather than joining the trace.
    const round = await spanWhere(
      'the publish round span',
      (s) => s.name === `${namespace}.* publish batch` && s.links.some((l) => l.spanId === publish.spanId),
    );
    expect(round).toMatchObject({ service: 'ingestion', kind: KIND.PRODUCER, parentSpanId: '' });
    expect(round.links).toContainEqual(publishLink);

    // Recommendation hears the event live (and drops the shopper's cached answers): a child of the publish.
    const heard = await spanWhere(
      'the recommendation live consumer span',
      (s) => s.kind === KIND.CONSUMER && s.parentSpanId === publish.spanId,
    );
    expect(heard).toMatchObject({
      service: 'recommendation',
      traceId: page,
      name: `${subject} process`,
      links: [publishLink],
    });

    // The feature store applies it in a batch: a trace of its own, linked to the publish, with its writes under it.
    const batch = await spanWhere(
      "the feature store's batch consumer span",
      (s) =>
        s.service === 'feature-store' &&
        s.kind === KIND.CONSUMER &&
        s.attributes['messaging.consumer.group.name'] === 'feature-store' &&
        s.links.some((l) => l.spanId === publish.spanId),
    );
    expect(batch.links).toContainEqual(publishLink);
    expect(batch.parentSpanId).toBe('');
    expect(batch.traceId).not.toBe(page);
    const write = await spanWhere(
      "the feature store's writes of the batch",
      (s) => s.traceId === batch.traceId && s.name.startsWith('pg.query:INSERT') && descendsFrom(s, batch.spanId),
    );
    expect(write).toMatchObject({ service: 'feature-store', kind: KIND.CLIENT });

    const trace = await expectWholeTrace();
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['ingestion', 'recommendation']));
  }, 180_000);

  it('follows a recommendation request from the storefront over gRPC through recommendation and the feature store to PostgreSQL', async () => {
    const ask = pageSpan();
    const rpc = grpcTestClient('recommendation', recommendationGrpc);
    const metadata = new grpc.Metadata();
    metadata.set('traceparent', ask.traceparent);
    try {
      const answer = await rpc.call<recommendationV1.RecommendResponse>(
        'Recommend',
        { userId: SHOPPER, k: 3 },
        metadata,
      );
      expect(answer.recommendationId).toMatch(/^rec_/);
    } finally {
      rpc.close();
    }

    const method = 'grpc.retail.featurestore.v1.FeatureStoreService/GetOnlineFeatures';
    const server = await spanWhere('the recommendation gRPC server span', (s) => s.parentSpanId === ask.spanId);
    expect(server).toMatchObject({
      service: 'recommendation',
      kind: KIND.SERVER,
      traceId: page,
      name: 'grpc.retail.recommendation.v1.RecommendationService/Recommend',
    });
    const client = await spanWhere(
      'the gRPC client span of the call to the feature store',
      (s) => s.traceId === page && s.kind === KIND.CLIENT && s.name === method && descendsFrom(s, server.spanId),
    );
    expect(client.service).toBe('recommendation');
    const peer = await spanWhere("the feature store's gRPC server span", (s) => s.parentSpanId === client.spanId);
    expect(peer).toMatchObject({ service: 'feature-store', kind: KIND.SERVER, traceId: page, name: method });
    const query = await spanWhere(
      "the feature store's query",
      (s) => s.traceId === page && s.name.startsWith('pg.') && descendsFrom(s, peer.spanId),
    );
    expect(query).toMatchObject({ service: 'feature-store', kind: KIND.CLIENT });

    const trace = await expectWholeTrace();
    // Every feature-store span of the request hangs under a call recommendation made.
    const calls = trace.filter((s) => s.service === 'recommendation' && s.kind === KIND.CLIENT);
    const ofFeatureStore = trace.filter((s) => s.service === 'feature-store' && descendsFrom(s, server.spanId));
    expect(ofFeatureStore.length).toBeGreaterThan(0);
    expect(ofFeatureStore.every((s) => calls.some((c) => descendsFrom(s, c.spanId)))).toBe(true);
  }, 180_000);

  it('exports nothing without OTEL_EXPORTER_OTLP_ENDPOINT, yet answers with trace ids and passes the context on', async () => {
    // Listening where an exporter picked from the standard variables would send: nothing may arrive.
    const quiet = new OtlpTraceReceiver();
    await quiet.start();
    const ns = uniqueNamespace('notrace');
    namespaces.push(ns);
    const { service } = await startService('ingestion', ns, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${quiet.endpoint}/v1/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    extraServices.push(service);
    try {
      await service.ready(START_BOUND_MS);
      const url = `${service.httpUrl}/v1/interactions`;
      const post = (body: unknown, headers: Record<string, string> = {}) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });

      // An error carries the caller's trace id, or one of its own when the caller sent none.
      const storefront = randomHex(16);
      const refused = await post({}, { traceparent: storefrontSpan(storefront).traceparent });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { traceId?: string } }).error.traceId).toBe(storefront);
      const anonymous = await post({});
      expect(anonymous.status).toBe(400);
      const own = ((await anonymous.json()) as { error: { traceId?: string } }).error.traceId;
      expect(own).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
      expect(anonymous.headers.get('trace-id')).toBe(own);

      // The event published for an accepted record carries the caller's trace on to its consumers.
      const accepted = await post(
        { interactions: [{ eventId: 'quiet-e1', userId: SHOPPER, itemId: 'sku-7', type: 'view' }] },
        { traceparent: storefrontSpan(storefront).traceparent },
      );
      expect(accepted.status).toBe(200);
      const traceparent = await publishedTraceparent(ns, 'events.v1.interaction');
      expect(traceparent).toMatch(new RegExp(`^00-${storefront}-[0-9a-f]{16}-01$`));

      // A graceful stop flushes whatever a span processor would still hold.
      await service.stop();
      expect(quiet.spans).toEqual([]);
      expect(quiet.failures).toEqual([]);
    } finally {
      await quiet.stop();
    }
  }, 180_000);
});

/** The `traceparent` header of the last message on a subject, once it has been published. */
async function publishedTraceparent(namespace: string, subjectSuffix: string): Promise<string | undefined> {
  const names = new MessagingNames(namespace);
  const nc = await connect({ servers: TEST_NATS_URL, name: `test-trace-${namespace}` });
  try {
    const jsm = await nc.jetstreamManager();
    const message = await eventually(
      () =>
        jsm.streams
          .getMessage(names.stream('EVENTS'), { last_by_subj: names.subject(subjectSuffix) })
          .catch(() => undefined),
      (m) => m !== undefined,
      `a message on ${subjectSuffix}`,
      SPANS_BOUND_MS,
    );
    return message?.header.get('traceparent');
  } finally {
    await nc.close();
  }
}

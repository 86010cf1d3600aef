/*
 * Ingestion throughput, end to end: events per second stored in PostgreSQL AND acknowledged by
 * JetStream, through a gRPC client stream and through REST batches of 1,000, with p50/p99 batch
 * acknowledgement latency. The service runs as its own process (built dist), like in production; the
 * load generator runs here. Prints a table and writes bench/results/ingestion.json.
 *   npm run build && node dist/bench/ingestion/ingestion.bench.js [--events 200000] [--batch 1000] [--rest-concurrency 4]
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GRPC_SERVICES, PROTO_LOADER_OPTIONS } from '@app/contracts/grpc';
import { createTestDatabase, deleteNamespaceStreams, freePort, TEST_NATS_URL, uniqueNamespace } from '@app/testing';
import { formatTable } from '../../scripts/forecast-eval/table.format';
import { waitHttp } from '../bench.services';
import { numberArg, parseArgs, repoRoot, writeResult } from '../dss/bench.util';

const USAGE =
  'node dist/bench/ingestion/ingestion.bench.js [--events N] [--batch N] [--rest-concurrency 4,1] [--stream-window N]';

interface Phase {
  transport: string;
  events: number;
  storedSeconds: number;
  publishedSeconds: number;
  storedPerSecond: number;
  endToEndPerSecond: number;
  ackP50Ms: number;
  ackP99Ms: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Interactions as a storefront sends them: 50k users, 10k items, client event ids, UTC times. */
function interactions(offset: number, n: number, grpcShape: boolean): object[] {
  const now = Date.now() - 3_600_000;
  const types = grpcShape
    ? ['INTERACTION_TYPE_VIEW', 'INTERACTION_TYPE_CLICK', 'INTERACTION_TYPE_ADD_TO_CART']
    : ['view', 'click', 'add_to_cart'];
  return Array.from({ length: n }, (_, k) => {
    const i = offset + k;
    const at = now + (i % 3_000_000);
    return {
      eventId: `bench-${i}`,
      userId: `u-${(i * 7919) % 50_000}`,
      itemId: `sku-${(i * 104_729) % 10_000}`,
      type: types[i % 3],
      occurredAt: grpcShape ? { seconds: Math.floor(at / 1000), nanos: (at % 1000) * 1e6 } : new Date(at).toISOString(),
      context: { page: 'product', device: 'mobile' },
    };
  });
}

async function published(httpUrl: string): Promise<{ records: number; published: number }> {
  const stats = (await (await fetch(`${httpUrl}/v1/ingestion/stats`)).json()) as {
    publishLag: { records: number; published: number };
  };
  return stats.publishLag;
}

async function waitPublished(httpUrl: string, total: number): Promise<void> {
  for (;;) {
    const lag = await published(httpUrl);
    if (lag.published >= total && lag.records === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const options = parseArgs(
    { events: '200000', batch: '1000', 'rest-concurrency': '4,1', transports: 'grpc,rest' },
    USAGE,
  );
  const transports = options.transports.split(',');
  const events = numberArg(options, 'events', (v) => v > 0);
  const batch = numberArg(options, 'batch', (v) => v > 0 && v <= 1000);
  const restConcurrency = options['rest-concurrency'].split(',').map(Number);
  if (restConcurrency.some((c) => !Number.isInteger(c) || c < 1))
    throw new Error('--rest-concurrency: positive integers, e.g. 4,1');
  const root = repoRoot();
  const db = await createTestDatabase('bench_ingestion');
  const namespace = uniqueNamespace('benchingest');
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  // The built service next to this built benchmark (dist/bench/ingestion → dist/apps/ingestion).
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
      join(__dirname, '..', '..', 'apps', 'ingestion', 'src', 'main.js'),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        BIND_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        DATABASE_URL: db.url,
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: namespace,
        INGESTION_BOT_MAX_EVENTS_PER_SECOND: '0',
        INGESTION_STATS_LOG_INTERVAL_SECONDS: '0',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const phases: Phase[] = [];
  try {
    await waitHttp(`${httpUrl}/health/ready`, child);
    const def = protoLoader.loadSync([...GRPC_SERVICES.ingestion.protoFiles], PROTO_LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      retail: { ingestion: { v1: { IngestionService: grpc.ServiceClientConstructor } } };
    };
    const client = new pkg.retail.ingestion.v1.IngestionService(
      `127.0.0.1:${grpcPort}`,
      grpc.credentials.createInsecure(),
      {
        'grpc.max_send_message_length': 64 * 1024 * 1024,
      },
    );

    // Warm-up, not measured: JIT, pools, and the first sighting of every user and item (registered once,
    // then known), so both transports see the same steady state of a running storefront.
    for (let from = 0; from < 50_000; from += 1000)
      await restBatch(httpUrl, interactions(10_000_000 + from, 1000, false));
    await waitPublished(httpUrl, 50_000);

    // 1. gRPC client stream of batches.
    if (transports.includes('grpc')) {
      // The messages are serialised before the clock starts (the load generator shares the two cores;
      // encoding is the storefront's cost, not the service's) and sent as bytes.
      const method = (def['retail.ingestion.v1.IngestionService'] as grpc.ServiceDefinition)['StreamInteractions'];
      const messages: Buffer[] = [];
      for (let from = 0; from < events; from += batch) {
        messages.push(
          method.requestSerialize({ interactions: interactions(from, Math.min(batch, events - from), true) }),
        );
      }
      const raw = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
      const base = await published(httpUrl);
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const call = raw.makeClientStreamRequest(
          method.path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          new grpc.Metadata(),
          (err) => (err ? reject(err) : resolve()),
        );
        let next = 0;
        const writeMore = () => {
          while (next < messages.length) {
            const ok = call.write(messages[next++]);
            if (!ok) return call.once('drain', writeMore);
          }
          call.end();
        };
        writeMore();
      });
      raw.close();
      const storedSeconds = (performance.now() - started) / 1000;
      await waitPublished(httpUrl, base.published + events);
      const publishedSeconds = (performance.now() - started) / 1000;
      phases.push({
        transport: `gRPC stream (${batch}/message)`,
        events,
        storedSeconds,
        publishedSeconds,
        storedPerSecond: events / storedSeconds,
        endToEndPerSecond: events / publishedSeconds,
        // A stream answers once, at its end: there is no per-batch acknowledgement to time.
        ackP50Ms: Number.NaN,
        ackP99Ms: Number.NaN,
      });
    }

    // 1b. gRPC unary batches, one at a time: the acknowledgement latency of IngestInteractions.
    if (transports.includes('grpc')) {
      const unary = (request: object) =>
        new Promise<void>((resolve, reject) =>
          (
            client as unknown as Record<string, (r: object, cb: (e: grpc.ServiceError | null) => void) => void>
          ).ingestInteractions.call(client, request, (err) => (err ? reject(err) : resolve())),
        );
      const base = await published(httpUrl);
      const latencies: number[] = [];
      const n = Math.min(events, 50_000);
      const started = performance.now();
      for (let from = 0; from < n; from += batch) {
        const t0 = performance.now();
        await unary({ interactions: interactions(30_000_000 + from, batch, true) });
        latencies.push(performance.now() - t0);
      }
      const storedSeconds = (performance.now() - started) / 1000;
      await waitPublished(httpUrl, base.published + n);
      const publishedSeconds = (performance.now() - started) / 1000;
      phases.push({
        transport: `gRPC unary batches of ${batch} (1 in flight)`,
        events: n,
        storedSeconds,
        publishedSeconds,
        storedPerSecond: n / storedSeconds,
        endToEndPerSecond: n / publishedSeconds,
        ackP50Ms: percentile(latencies, 50),
        ackP99Ms: percentile(latencies, 99),
      });
    }

    // 2. REST batches: a few in flight at once (several storefront back ends) for throughput, then one at
    // a time for the acknowledgement latency a single sender sees.
    for (const concurrency of transports.includes('rest') ? restConcurrency : []) {
      const base = await published(httpUrl);
      const latencies: number[] = [];
      const started = performance.now();
      let next = 0;
      const offset = 20_000_000 + concurrency * 1_000_000;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < events) {
            const from = next;
            next += batch;
            const t0 = performance.now();
            await restBatch(httpUrl, interactions(offset + from, Math.min(batch, events - from), false));
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const storedSeconds = (performance.now() - started) / 1000;
      await waitPublished(httpUrl, base.published + events);
      const publishedSeconds = (performance.now() - started) / 1000;
      phases.push({
        transport: `REST batches of ${batch} (${concurrency} in flight)`,
        events,
        storedSeconds,
        publishedSeconds,
        storedPerSecond: events / storedSeconds,
        endToEndPerSecond: events / publishedSeconds,
        ackP50Ms: percentile(latencies, 50),
        ackP99Ms: percentile(latencies, 99),
      });
    }
    client.close();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await deleteNamespaceStreams(namespace);
    await db.drop();
  }

  console.log(
    formatTable(
      ['transport', 'events', 'stored/s', 'stored+acked by JetStream/s', 'batch ack p50 ms', 'p99 ms'],
      phases.map((p) => [
        p.transport,
        String(p.events),
        p.storedPerSecond.toFixed(0),
        p.endToEndPerSecond.toFixed(0),
        Number.isNaN(p.ackP50Ms) ? '–' : p.ackP50Ms.toFixed(1),
        Number.isNaN(p.ackP99Ms) ? '–' : p.ackP99Ms.toFixed(1),
      ]),
    ),
  );
  writeResult('ingestion', {
    benchmark: 'ingestion',
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    loadAverageAfter: loadavg()[0],
    grpcStreamEventsPerSecond: phases.find((p) => p.transport.startsWith('gRPC'))?.endToEndPerSecond,
    restEventsPerSecond: phases.find((p) => p.transport.startsWith('REST'))?.endToEndPerSecond,
    restAckP99Ms: phases.find((p) => p.transport.startsWith('REST'))?.ackP99Ms,
    grpcUnaryAckP99Ms: phases.find((p) => p.transport.startsWith('gRPC unary'))?.ackP99Ms,
    restOneInFlightAckP99Ms: phases.find((p) => p.transport.startsWith('REST') && p.transport.endsWith('(1 in flight)'))
      ?.ackP99Ms,
    phases,
  });
}

async function restBatch(httpUrl: string, records: object[]): Promise<void> {
  const res = await fetch(`${httpUrl}/v1/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ interactions: records }),
  });
  if (!res.ok) throw new Error(`REST batch failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { summary: { accepted: number; quarantined: number } };
  if (body.summary.quarantined > 0) throw new Error(`bench records were quarantined: ${JSON.stringify(body.summary)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

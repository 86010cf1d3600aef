/*
 * Feature store, end to end: (1) catch-up — the whole synthetic history sits in the EVENTS stream
 * before the service starts, and we time how fast it applies it (fs_consumer_position reaching the
 * stream's last sequence); (2) online reads — GetOnlineFeatures over gRPC, open loop at a fixed rate,
 * latency counted from each request's scheduled send time so queueing shows. The service runs as its
 * own process (built dist), like in production. Prints a table and writes bench/results/feature-store.json.
 *   npm run build && node dist/bench/feature-store/feature-store.bench.js [--events 1000000] [--read-rate 2000]
 * BENCH_FS_EVENTS, BENCH_FS_READ_RATE, BENCH_FS_READ_SECONDS set the defaults; BENCH_SERVICE_NODE_ARGS
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to the service's node; BENCH_FS_KEEP_DATABASE=1
 * leaves the database in place afterwards (its name is printed) for EXPLAIN ANALYZE and the like.
 */
import type { ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GRPC_SERVICES, PROTO_LOADER_OPTIONS } from '@app/contracts/grpc';
import { JetStreamClient } from '@app/platform/messaging';
import { STREAM_DEFINITIONS } from '@app/platform/platform';
import { createTestDatabase, deleteNamespaceStreams, freePort, TEST_NATS_URL, uniqueNamespace } from '@app/testing';
import { Client } from 'pg';
import { formatTable } from '../../scripts/forecast-eval/table.format';
import { serviceNodeArgs, spawnService, stopService, waitHttp } from '../bench.services';
import { numberArg, parseArgs, writeResult } from '../dss/bench.util';
import { itemId, publishShopLog, random, ShopLog, ShopSettings, userId } from './feature-store.data';

const USAGE =
  'node dist/bench/feature-store/feature-store.bench.js [--events N] [--read-rate N] [--read-seconds N] [--warmup-seconds N] [--batch N] [--timeout-seconds N]';
const DURABLE = 'feature-store';
const SAMPLE_MS = 200;
const WINDOW_MS = 10_000;
const TARGET_CATCH_UP_PER_SECOND = 20_000;
const TARGET_USER_READ_P99_MS = 2;

interface CatchUp {
  messages: number;
  complete: boolean;
  /** Service spawn to the last message applied (includes start-up and migrations). */
  seconds: number;
  /** First batch committed to the last one. */
  applySeconds: number;
  perSecond: number;
  applyPerSecond: number;
  medianWindowPerSecond: number;
  windowRates: number[];
}

interface ReadPhase {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  achievedPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Failures by gRPC status and message (first 100 characters). */
  errorKinds: Record<string, number>;
  /** Same latencies counted from the actual send: the difference is the load generator's timer lag. */
  sentP99Ms: number;
  sendLagP99Ms: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function position(pg: Client): Promise<number> {
  try {
    const rows = (await pg.query('SELECT last_seq FROM fs_consumer_position WHERE consumer = $1', [DURABLE])).rows as {
      last_seq: string;
    }[];
    return Number(rows[0]?.last_seq ?? 0);
  } catch {
    return 0; // the service has not run its migrations yet
  }
}

/** Polls the applied position from the service's start until it reaches `lastSeq`. */
async function measureCatchUp(
  pg: Client,
  child: ChildProcess,
  lastSeq: number,
  startedAt: number,
  timeoutMs: number,
): Promise<CatchUp> {
  const samples: [number, number][] = [];
  let seq = 0;
  while (seq < lastSeq && performance.now() - startedAt < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode} during catch-up`);
    seq = await position(pg);
    samples.push([performance.now(), seq]);
    if (seq < lastSeq) await sleep(SAMPLE_MS);
  }
  const end = samples[samples.length - 1];
  // The first committed batch: the sample before it bounds when applying began.
  const firstIdx = Math.max(0, samples.findIndex(([, s]) => s > 0) - 1);
  const first = samples[firstIdx];
  const windowRates: number[] = [];
  for (let i = firstIdx, j = firstIdx; j < samples.length; j++) {
    if (samples[j][0] - samples[i][0] >= WINDOW_MS) {
      windowRates.push(((samples[j][1] - samples[i][1]) * 1000) / (samples[j][0] - samples[i][0]));
      i = j;
    }
  }
  const seconds = (end[0] - startedAt) / 1000;
  const applySeconds = (end[0] - first[0]) / 1000;
  return {
    messages: end[1],
    complete: end[1] >= lastSeq,
    seconds,
    applySeconds,
    perSecond: end[1] / seconds,
    applyPerSecond: end[1] / applySeconds,
    medianWindowPerSecond: windowRates.length ? median(windowRates) : end[1] / applySeconds,
    windowRates: windowRates.map(Math.round),
  };
}

/**
 * Sends `requests` (already serialised) open loop: request k is due at start + k/rate, whatever the
 * earlier ones are doing. A 1 ms timer drives it (spinning would take a core from the service on a
 * two-core machine), so sends can be up to about a millisecond late; that lag counts as latency.
 */
function openLoop(
  client: grpc.Client,
  path: string,
  requests: readonly Buffer[],
  rate: number,
): Promise<{
  fromScheduled: number[];
  fromSent: number[];
  lag: number[];
  errors: Record<string, number>;
  seconds: number;
}> {
  const identity = (b: Buffer) => b;
  const fromScheduled: number[] = [];
  const fromSent: number[] = [];
  const lag: number[] = [];
  const errors: Record<string, number> = {};
  let answered = 0;
  return new Promise((resolve) => {
    const start = performance.now();
    let next = 0;
    const done = () => {
      if (++answered === requests.length)
        resolve({ fromScheduled, fromSent, lag, errors, seconds: (performance.now() - start) / 1000 });
    };
    const tick = () => {
      const now = performance.now();
      while (next < requests.length && start + (next * 1000) / rate <= now) {
        const scheduled = start + (next * 1000) / rate;
        const sent = performance.now();
        lag.push(sent - scheduled);
        client.makeUnaryRequest(
          path,
          identity,
          identity,
          requests[next++],
          { deadline: Date.now() + 10_000 },
          (err, res) => {
            const t = performance.now();
            if (err || !res) {
              const kind = err ? `${grpc.status[err.code]}: ${err.details.slice(0, 100)}` : 'empty answer';
              errors[kind] = (errors[kind] ?? 0) + 1;
            } else {
              fromScheduled.push(t - scheduled);
              fromSent.push(t - sent);
            }
            done();
          },
        );
      }
      if (next < requests.length) setTimeout(tick, 1);
    };
    tick();
  });
}

async function main(): Promise<void> {
  const options = parseArgs(
    {
      events: process.env.BENCH_FS_EVENTS ?? '1000000',
      'read-rate': process.env.BENCH_FS_READ_RATE ?? '2000',
      'read-seconds': process.env.BENCH_FS_READ_SECONDS ?? '20',
      'warmup-seconds': '5',
      batch: '2000',
      'timeout-seconds': '1500',
    },
    USAGE,
  );
  const events = numberArg(options, 'events', (v) => Number.isInteger(v) && v >= 1000);
  const readRate = numberArg(options, 'read-rate', (v) => v > 0);
  const readSeconds = numberArg(options, 'read-seconds', (v) => v > 0);
  const warmupSeconds = numberArg(options, 'warmup-seconds', (v) => v >= 0);
  const batch = numberArg(options, 'batch', (v) => Number.isInteger(v) && v > 0);
  const timeoutSeconds = numberArg(options, 'timeout-seconds', (v) => v > 0);
  const loadAverageStart = loadavg();

  // N interactions: 100 per user; 10,000 items (fewer for small runs, so the catalogue stays a minority).
  const shop: ShopSettings = {
    users: Math.max(1, Math.round(events / 100)),
    interactionsPerUser: 100,
    sessionLength: 10,
    items: Math.min(10_000, Math.max(100, Math.round(events / 100))),
    categories: 50,
    days: 60,
    zipf: 1,
    seed: 42,
  };
  let t0 = performance.now();
  const log = new ShopLog(shop);
  const generateSeconds = (performance.now() - t0) / 1000;
  console.log(
    `shop: ${shop.items} items (+ stock), ${shop.users} users, ${log.interactions} interactions = ${log.size} events (${generateSeconds.toFixed(1)} s to generate)`,
  );

  const db = await createTestDatabase('bench_feature_store');
  const namespace = uniqueNamespace('benchfs');
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  let child: ChildProcess | undefined;
  const pg = new Client({ connectionString: db.url });
  let catchUp: CatchUp | undefined;
  let publishSeconds = 0;
  let lastSeq = 0;
  const reads: ReadPhase[] = [];
  try {
    t0 = performance.now();
    const bus = await JetStreamClient.connect({
      url: TEST_NATS_URL,
      namespace,
      name: 'bench-feature-store',
      streams: STREAM_DEFINITIONS,
    });
    try {
      lastSeq = await publishShopLog(bus, log);
    } finally {
      await bus.close();
    }
    publishSeconds = (performance.now() - t0) / 1000;
    console.log(`published ${log.size} events in ${publishSeconds.toFixed(1)} s; stream last seq ${lastSeq}`);
    await pg.connect();

    const startedAt = performance.now();
    child = spawnService(
      'feature-store',
      {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        DATABASE_URL: db.url,
        NATS_NAMESPACE: namespace,
        FEATURE_STORE_DURABLE: DURABLE,
        FEATURE_STORE_BATCH_SIZE: String(batch),
      },
      serviceNodeArgs(),
    );
    catchUp = await measureCatchUp(pg, child, lastSeq, startedAt, timeoutSeconds * 1000);
    console.log(
      `catch-up: ${catchUp.messages} of ${lastSeq} in ${catchUp.seconds.toFixed(1)} s (${catchUp.perSecond.toFixed(0)}/s)`,
    );
    await waitHttp(`http://127.0.0.1:${httpPort}/health/ready`, child);

    // 2. Online reads.
    const contract = GRPC_SERVICES['feature-store'];
    const def = protoLoader.loadSync([...contract.protoFiles], PROTO_LOADER_OPTIONS);
    const method = (def[`${contract.packageName}.${contract.serviceNames[0]}`] as grpc.ServiceDefinition)
      .GetOnlineFeatures;
    const client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const rnd = random(7);
    const anyUser = () => userId(Math.floor(rnd() * shop.users));
    const anyItem = () => itemId(Math.floor(rnd() * shop.items));
    const kinds = [
      { name: 'user, historyLimit 50', request: () => ({ userId: anyUser(), itemIds: [], historyLimit: 50 }) },
      {
        name: 'user + 20 items',
        request: () => ({ userId: anyUser(), itemIds: Array.from({ length: 20 }, anyItem), historyLimit: 50 }),
      },
    ];
    for (const kind of kinds) {
      // One decoded answer, to be sure we measure real reads (a known user with a full history).
      const check = await new Promise<Record<string, unknown>>((resolve, reject) =>
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          kind.request(),
          (err, res) => (err ? reject(err) : resolve(res as Record<string, unknown>)),
        ),
      );
      const user = check.user as { known: boolean; recentInteractions: unknown[] };
      const items = check.items as { known: boolean }[];
      if (!user.known || user.recentInteractions.length !== 50 || items.some((i) => !i.known)) {
        throw new Error(`unexpected answer for ${kind.name}: ${JSON.stringify(check).slice(0, 500)}`);
      }
      const requests = (n: number) => Array.from({ length: n }, () => method.requestSerialize(kind.request()));
      if (warmupSeconds > 0)
        await openLoop(client, method.path, requests(Math.round(readRate * warmupSeconds)), readRate);
      const r = await openLoop(client, method.path, requests(Math.round(readRate * readSeconds)), readRate);
      const sorted = r.fromScheduled.sort((a, b) => a - b);
      const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
      reads.push({
        name: kind.name,
        requests: r.fromScheduled.length + errors,
        errors,
        errorKinds: r.errors,
        seconds: r.seconds,
        achievedPerSecond: r.fromScheduled.length / r.seconds,
        p50Ms: percentile(sorted, 50),
        p90Ms: percentile(sorted, 90),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted[sorted.length - 1] ?? Number.NaN,
        sentP99Ms: percentile(
          r.fromSent.sort((a, b) => a - b),
          99,
        ),
        sendLagP99Ms: percentile(
          r.lag.sort((a, b) => a - b),
          99,
        ),
      });
    }
    client.close();
  } finally {
    await stopService(child);
    await pg.end().catch(() => undefined);
    await deleteNamespaceStreams(namespace);
    if (process.env.BENCH_FS_KEEP_DATABASE === '1') console.log(`kept database ${db.name} (drop it when done)`);
    else await db.drop();
  }
  const loadAverageEnd = loadavg();

  const c = catchUp!;
  console.log(
    '\n' +
      formatTable(
        ['catch-up', 'events', 'seconds', 'events/s', 'target'],
        [
          ['service start → applied', String(c.messages), c.seconds.toFixed(1), c.perSecond.toFixed(0), '–'],
          [
            'first batch → applied',
            String(c.messages),
            c.applySeconds.toFixed(1),
            c.applyPerSecond.toFixed(0),
            String(TARGET_CATCH_UP_PER_SECOND),
          ],
          [
            'median of 10 s windows',
            String(c.windowRates.length),
            '–',
            c.medianWindowPerSecond.toFixed(0),
            String(TARGET_CATCH_UP_PER_SECOND),
          ],
        ],
      ),
  );
  console.log(
    '\n' +
      formatTable(
        [
          'GetOnlineFeatures',
          'requests',
          'errors',
          'reads/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'p99 from send',
          'send lag p99',
        ],
        reads.map((r) => [
          r.name,
          String(r.requests),
          String(r.errors),
          r.achievedPerSecond.toFixed(0),
          r.p50Ms.toFixed(2),
          r.p90Ms.toFixed(2),
          r.p99Ms.toFixed(2),
          r.maxMs.toFixed(2),
          r.sentP99Ms.toFixed(2),
          r.sendLagP99Ms.toFixed(2),
        ]),
      ),
  );
  for (const r of reads) if (r.errors > 0) console.log(`errors of ${r.name}: ${JSON.stringify(r.errorKinds)}`);
  console.log(
    `\nload average (1/5/15 min): start ${loadAverageStart.map((l) => l.toFixed(2)).join(' ')}, end ${loadAverageEnd.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const userRead = reads.find((r) => r.name.startsWith('user,'));
  const file = writeResult('feature-store', {
    benchmark: 'feature-store',
    catchUpEventsPerSecond: c.applyPerSecond,
    catchUpMedian10sEventsPerSecond: c.medianWindowPerSecond,
    catchUpComplete: c.complete,
    catchUpTargetMet: c.complete && c.applyPerSecond >= TARGET_CATCH_UP_PER_SECOND,
    userReadP99Ms: userRead?.p99Ms,
    userReadTargetMet: userRead !== undefined && userRead.p99Ms < TARGET_USER_READ_P99_MS,
    userItemsReadP99Ms: reads.find((r) => r.name.startsWith('user +'))?.p99Ms,
    loadAverageStart: loadAverageStart[0],
    loadAverageEnd: loadAverageEnd[0],
    timestamp: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    node: process.version,
    settings: {
      events: log.size,
      interactions: log.interactions,
      shop,
      batchSize: batch,
      readRate,
      readSeconds,
      warmupSeconds,
      serviceNodeArgs: process.env.BENCH_SERVICE_NODE_ARGS ?? '',
    },
    targets: { catchUpEventsPerSecond: TARGET_CATCH_UP_PER_SECOND, userReadP99Ms: TARGET_USER_READ_P99_MS },
    loadAverage: { start: loadAverageStart, end: loadAverageEnd },
    publish: { seconds: publishSeconds, lastSeq, perSecond: log.size / publishSeconds },
    catchUp: c,
    reads,
  });
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/*
 * Recommendation serving, end to end: a synthetic shop (10k items, 50k users) published into JetStream
 * and applied by the feature store, a model fitted on the same history and served by a training-registry
 * stand-in, and the recommendation service loading it as champion. Then `Recommend` (k = 10, default
 * filters) under open-loop load at stepped rates, over gRPC and over REST, for uncached answers (a fresh
 * session id per request, so no two requests share a cache key) and cached ones (a small hot set of
 * users); latency counts from each request's scheduled send time. Last, server-side time per request:
 * the service has no request-duration metric, so RecommendService.recommend is timed in-process (the app
 * booted like the tests do, against the same feature store and registry), one request at a time.
 * The feature store and the recommendation service run as their own processes (built dist), the load
 * generator here, all on this machine. Prints tables and writes bench/results/serving.json.
 *   npm run build && node dist/bench/serving/serving.bench.js [--grpc-rates 500,1000,2000,3000,4000] [--step-seconds 15]
 * BENCH_SERVICE_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to the recommendation
 * service's node.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { EVENT_CATALOGUE } from '@app/contracts/events';
import { GRPC_SERVICES, PROTO_LOADER_OPTIONS } from '@app/contracts/grpc';
import { JetStreamClient } from '@app/platform/messaging';
import { STREAM_DEFINITIONS } from '@app/platform/platform';
import { defaultRegistry, type Interaction, InteractionDataset } from '@app/recsys';
import { createTestDatabase, deleteNamespaceStreams, freePort, TEST_NATS_URL, uniqueNamespace } from '@app/testing';
import { startTestApp, TestApp } from '@app/testing/app';
import { Client } from 'pg';
import { filtersFromProto } from '../../apps/recommendation/src/api/recommendation.proto-mapping';
import { RecommendService } from '../../apps/recommendation/src/application/recommend.service';
import { RecommendationModule } from '../../apps/recommendation/src/recommendation.module';
import { TrainingStandIn } from '../../apps/recommendation/test/training.stand-in';
import { formatTable } from '../../scripts/forecast-eval/table.format';
import { spawnService, stopService, waitHttp } from '../bench.services';
import { numberArg, parseArgs, writeResult } from '../dss/bench.util';
import { publishShopLog, random, ShopLog, ShopSettings, userId } from '../feature-store/feature-store.data';
import { cpuMeter, HistogramSnapshot, histogramOf, percentile, RawStep, serverTimes, StepResult } from './serving.load';
import type { LoadJob, LoadResult } from './serving.load-worker';

const USAGE =
  'node dist/bench/serving/serving.bench.js [--users N] [--items N] [--interactions-per-user N] [--algorithm item-knn] ' +
  '[--grpc-rates 500,1000,...] [--rest-rates 500,1000,...] [--step-seconds N] [--warmup-seconds N] [--hot-users N] ' +
  '[--server-samples N] [--modes uncached,cached] [--timeout-seconds N] [--out file.json]';
const FS_DURABLE = 'feature-store';
const FEEDBACK_DURABLE = 'recommendation-feedback';
const K = 10;
const TARGET_GRPC_PER_SECOND = 3000;
const TARGET_P99_MS = 10;
const TARGET_SERVER_CACHED_P50_MS = 1;
/** Stop stepping up once a step is this far gone: higher rates would only queue for longer. */
const GIVE_UP = { achievedShare: 0.8, p99Ms: 2000 };

/** The service's own request-duration histograms (see libs/platform/src/metrics/request.metrics.ts). */
const GRPC_SERVER_HISTOGRAM = {
  name: 'grpc_server_request_duration_seconds',
  labels: { service: 'retail.recommendation.v1.RecommendationService', method: 'Recommend' },
};
const HTTP_SERVER_HISTOGRAM = {
  name: 'http_server_request_duration_seconds',
  labels: { method: 'POST', route: '/v1/recommendations' },
};

async function scrapeHistogram(
  httpPort: number,
  h: { name: string; labels: Record<string, string> },
): Promise<HistogramSnapshot> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return histogramOf(text, h.name, h.labels);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The log's interactions as the training service would read them. */
function interactionsOf(log: ShopLog): Interaction[] {
  const rows: Interaction[] = [];
  for (let k = 0; k < log.size; k++) {
    const m = log.message(k);
    if (m.subjectSuffix !== 'events.v1.interaction') continue;
    const e = JSON.parse(m.body.toString()) as { userId: string; itemId: string; type: string; occurredAt: string };
    rows.push({ userId: e.userId, itemId: e.itemId, type: e.type, timestamp: Date.parse(e.occurredAt) / 1000 });
  }
  return rows;
}

async function appliedPositions(pg: Client): Promise<number[]> {
  try {
    const rows = (
      await pg.query('SELECT consumer, last_seq FROM fs_consumer_position WHERE consumer = ANY($1)', [
        [FS_DURABLE, `${FS_DURABLE}-neighbours`],
      ])
    ).rows as { consumer: string; last_seq: string }[];
    return [FS_DURABLE, `${FS_DURABLE}-neighbours`].map((c) =>
      Number(rows.find((r) => r.consumer === c)?.last_seq ?? 0),
    );
  } catch {
    return [0, 0]; // migrations not run yet
  }
}

function summarise(
  name: string,
  rate: number,
  requests: number,
  raw: RawStep,
  cpu: { cores: Record<string, number>; busy: number },
): StepResult {
  const errors = Object.values(raw.errors).reduce((a, b) => a + b, 0);
  const achieved = raw.answers / raw.seconds;
  const p99 = percentile(raw.latencies, 99);
  return {
    name,
    offeredPerSecond: rate,
    requests,
    answers: raw.answers,
    errors,
    degraded: raw.degraded,
    withoutModel: raw.withoutModel,
    seconds: raw.seconds,
    achievedPerSecond: achieved,
    p50Ms: percentile(raw.latencies, 50),
    p90Ms: percentile(raw.latencies, 90),
    p99Ms: p99,
    maxMs: raw.latencies[raw.latencies.length - 1] ?? Number.NaN,
    sendLagP99Ms: percentile(raw.lag, 99),
    cpuCores: cpu.cores,
    machineBusy: cpu.busy,
    errorKinds: raw.errors,
    degradationKinds: raw.degradationKinds,
    maxMsPerSecond: raw.maxMsPerSecond,
    sustained: achieved >= 0.98 * rate && p99 < TARGET_P99_MS && errors <= 0.01 * requests,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(
    {
      users: '50000',
      items: '10000',
      'interactions-per-user': '10',
      algorithm: 'item-knn',
      'grpc-rates': '500,1000,2000,3000,4000',
      'rest-rates': '500,1000,2000',
      'step-seconds': '15',
      'warmup-seconds': '5',
      'hot-users': '100',
      'server-samples': '2000',
      modes: 'uncached,cached',
      'timeout-seconds': '900',
      /** Where to write the JSON (default bench/results/serving.json); for side runs such as A/B tries. */
      out: '',
    },
    USAGE,
  );
  const users = numberArg(options, 'users', (v) => Number.isInteger(v) && v >= 100);
  const items = numberArg(options, 'items', (v) => Number.isInteger(v) && v >= 100);
  const perUser = numberArg(options, 'interactions-per-user', (v) => Number.isInteger(v) && v >= 1);
  const grpcRates = list(options['grpc-rates']).map(Number);
  const restRates = list(options['rest-rates']).map(Number);
  if ([...grpcRates, ...restRates].some((r) => !(r > 0))) throw new Error('rates must be positive numbers');
  const stepSeconds = numberArg(options, 'step-seconds', (v) => v > 0);
  const warmupSeconds = numberArg(options, 'warmup-seconds', (v) => v >= 0);
  const hotUsers = numberArg(options, 'hot-users', (v) => Number.isInteger(v) && v >= 1);
  const serverSamples = numberArg(options, 'server-samples', (v) => Number.isInteger(v) && v >= 10);
  const timeoutSeconds = numberArg(options, 'timeout-seconds', (v) => v > 0);
  const modes = list(options.modes) as ('uncached' | 'cached')[];
  const serviceNodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const loadAverageStart = loadavg();

  const shop: ShopSettings = {
    users,
    interactionsPerUser: perUser,
    sessionLength: Math.min(5, perUser),
    items,
    categories: 50,
    days: 60,
    zipf: 1,
    seed: 42,
  };
  let t0 = performance.now();
  const log = new ShopLog(shop);
  console.log(
    `shop: ${items} items, ${users} users, ${log.interactions} interactions = ${log.size} events (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  const fsDb = await createTestDatabase('bench_serving_fs');
  const recDb = await createTestDatabase('bench_serving_rec');
  const namespace = uniqueNamespace('benchsrv');
  const ports = {
    fsHttp: await freePort(),
    fsGrpc: await freePort(),
    recHttp: await freePort(),
    recGrpc: await freePort(),
  };
  const bus = await JetStreamClient.connect({
    url: TEST_NATS_URL,
    namespace,
    name: 'bench-serving',
    streams: STREAM_DEFINITIONS,
  });
  const pg = new Client({ connectionString: fsDb.url });
  const training = new TrainingStandIn();
  training.chunkSize = 256 * 1024;
  let featureStore: ChildProcess | undefined;
  let recommendation: ChildProcess | undefined;
  let inProcess: TestApp | undefined;
  let stopWorker: () => void = () => undefined;
  const setup: Record<string, number> = {};
  const steps: StepResult[] = [];
  const server: Record<string, { samples: number; p50Ms: number; p90Ms: number; p99Ms: number; meanMs: number }> = {};
  let modelBytes = 0;
  try {
    t0 = performance.now();
    const lastSeq = await publishShopLog(bus, log);
    setup.publishSeconds = (performance.now() - t0) / 1000;
    console.log(`published ${log.size} events in ${setup.publishSeconds.toFixed(1)} s; stream last seq ${lastSeq}`);

    const fsStartedAt = performance.now();
    featureStore = spawnService('feature-store', {
      HTTP_PORT: String(ports.fsHttp),
      GRPC_PORT: String(ports.fsGrpc),
      DATABASE_URL: fsDb.url,
      NATS_NAMESPACE: namespace,
      FEATURE_STORE_DURABLE: FS_DURABLE,
    });

    // The model, fitted while the feature store catches up (both want CPU; the sum is shorter).
    t0 = performance.now();
    const dataset = InteractionDataset.fromInteractions(interactionsOf(log));
    const model = defaultRegistry.create(options.algorithm, {});
    await model.fit(dataset);
    const bytes = Buffer.from(model.serialize());
    modelBytes = bytes.length;
    setup.fitSeconds = (performance.now() - t0) / 1000;
    console.log(
      `fitted ${options.algorithm} on ${dataset.size} interactions in ${setup.fitSeconds.toFixed(1)} s (${(bytes.length / 1e6).toFixed(1)} MB)`,
    );
    const modelId = `bench-${options.algorithm}`;
    training.register(modelId, 1, options.algorithm, bytes);
    training.championId = modelId;
    await training.start();

    await pg.connect();
    for (;;) {
      const [features, neighbours] = await appliedPositions(pg);
      if (features >= lastSeq && neighbours >= lastSeq) break;
      if (featureStore.exitCode !== null) throw new Error(`feature store exited with ${featureStore.exitCode}`);
      if (performance.now() - fsStartedAt > timeoutSeconds * 1000)
        throw new Error(`feature store not caught up: features ${features}, neighbours ${neighbours} of ${lastSeq}`);
      await sleep(500);
    }
    setup.featureStoreCatchUpSeconds = (performance.now() - fsStartedAt) / 1000;
    console.log(`feature store applied ${lastSeq} events in ${setup.featureStoreCatchUpSeconds.toFixed(1)} s`);
    await waitHttp(`http://127.0.0.1:${ports.fsHttp}/health/ready`, featureStore);

    const recStartedAt = performance.now();
    recommendation = spawnService(
      'recommendation',
      {
        HTTP_PORT: String(ports.recHttp),
        GRPC_PORT: String(ports.recGrpc),
        DATABASE_URL: recDb.url,
        NATS_NAMESPACE: namespace,
        FEATURE_STORE_GRPC_URL: `127.0.0.1:${ports.fsGrpc}`,
        TRAINING_GRPC_URL: training.address,
      },
      serviceNodeArgs,
    );
    await waitHttp(`http://127.0.0.1:${ports.recHttp}/health/ready`, recommendation);

    const contract = GRPC_SERVICES.recommendation;
    const def = protoLoader.loadSync([...contract.protoFiles], PROTO_LOADER_OPTIONS);
    const method = (def[`${contract.packageName}.${contract.serviceNames[0]}`] as grpc.ServiceDefinition).Recommend;
    const client = new grpc.Client(`127.0.0.1:${ports.recGrpc}`, grpc.credentials.createInsecure());
    type Answer = {
      modelId: string;
      degraded: boolean;
      items: { source: string }[];
    };
    const recommendOnce = (request: object) =>
      new Promise<Answer>((resolve, reject) =>
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          (err, res) => (err ? reject(err) : resolve(res as Answer)),
        ),
      );
    // A consenting user (every tenth has opted out): the model is loaded when the answer names it.
    for (let n = 0; ; n++) {
      const a = await recommendOnce({ userId: userId(1), sessionId: `probe-${n}`, k: K });
      if (a.modelId) {
        console.log(`recommendation service up with ${a.modelId}: ${a.items.map((i) => i.source).join(', ')}`);
        break;
      }
      if (recommendation.exitCode !== null) throw new Error(`recommendation exited with ${recommendation.exitCode}`);
      if (performance.now() - recStartedAt > 120_000) throw new Error('the recommendation service loaded no model');
      await sleep(200);
    }
    setup.recommendationReadySeconds = (performance.now() - recStartedAt) / 1000;
    // Its feedback consumer starts at the stream's beginning; let it finish so it does not share the CPU.
    const stream = EVENT_CATALOGUE['events.v1.interaction'].stream;
    for (;;) {
      const p = await bus.consumerProgress(stream, FEEDBACK_DURABLE);
      if (p && p.pending === 0 && p.ackPending === 0) break;
      if (performance.now() - recStartedAt > timeoutSeconds * 1000) throw new Error('feedback consumer behind');
      await sleep(500);
    }
    setup.feedbackCatchUpSeconds = (performance.now() - recStartedAt) / 1000;
    console.log(
      `recommendation ready in ${setup.recommendationReadySeconds.toFixed(1)} s, feedback consumer caught up at ${setup.feedbackCatchUpSeconds.toFixed(1)} s`,
    );

    // Requests: uncached = random users, a fresh session id each (a cache key of its own);
    // cached = a hot set of users, asked for once before the load so their answers are in the cache.
    const rnd = random(7);
    const anyUser = () => userId(Math.floor(rnd() * users));
    // A hot set of its own for every round (transport × mode), so no answer cached in an earlier round is reused.
    // Indices ending in 1, 3, 5 or 7: consenting users (every tenth has opted out).
    let hot: string[] = [];
    const hotSet = (round: number) =>
      Array.from({ length: hotUsers }, (_, i) =>
        userId((Math.floor((i * users) / hotUsers / 10) * 10 + 1 + 2 * round) % users),
      );
    let serial = 0;
    const requestOf = (mode: 'uncached' | 'cached', i: number) =>
      mode === 'uncached'
        ? { userId: anyUser(), sessionId: `bench-${serial++}`, k: K }
        : { userId: hot[i % hot.length], k: K };
    // After an overload the feature-store breaker may be open, and answers served meanwhile are degraded (and
    // cached for the full TTL): wait until a fresh answer is whole again, then refill the hot users' answers.
    const settle = async (round: number) => {
      hot = hotSet(round);
      const deadline = performance.now() + 60_000;
      for (let n = 0; performance.now() < deadline; n++) {
        const a = await recommendOnce({ userId: userId(1), sessionId: `settle-${serial}-${n}`, k: K }).catch(
          () => undefined,
        );
        if (a && !a.degraded) break;
        await sleep(500);
      }
      for (const u of hot) await recommendOnce({ userId: u, k: K });
    };

    // The load comes from a process of its own (see serving.load-worker.ts).
    const worker = fork(join(__dirname, 'serving.load-worker.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    stopWorker = () => worker.connected && worker.disconnect();
    const load = (transport: 'gRPC' | 'REST', requests: object[], rate: number) =>
      new Promise<RawStep>((resolve, reject) => {
        worker.once('message', (m: { result?: LoadResult; error?: string }) => {
          if (!m.result) return reject(new Error(`load generator: ${m.error}`));
          resolve({
            ...m.result,
            latencies: Float64Array.from(m.result.latencies),
            lag: Float64Array.from(m.result.lag),
          });
        });
        const job: LoadJob = {
          transport,
          grpcAddress: `127.0.0.1:${ports.recGrpc}`,
          httpPort: ports.recHttp,
          requests,
          rate,
        };
        worker.send(job);
      });
    const meter = cpuMeter({
      recommendation: recommendation.pid!,
      featureStore: featureStore.pid!,
      loadGenerator: worker.pid!,
    });
    const transports = [
      { name: 'gRPC' as const, rates: grpcRates },
      { name: 'REST' as const, rates: restRates },
    ];
    let round = 0;
    for (const transport of transports) {
      for (const mode of modes) {
        if (transport.rates.length === 0) continue;
        const requests = (n: number) => Array.from({ length: n }, (_, i) => requestOf(mode, i));
        await settle(round++);
        if (warmupSeconds > 0) {
          const n = Math.round(transport.rates[0] * warmupSeconds);
          await load(transport.name, requests(n), transport.rates[0]);
        }
        for (const rate of transport.rates) {
          const n = Math.round(rate * stepSeconds);
          const reqs = requests(n);
          const histogram = transport.name === 'gRPC' ? GRPC_SERVER_HISTOGRAM : HTTP_SERVER_HISTOGRAM;
          const serverBefore = await scrapeHistogram(ports.recHttp, histogram);
          const measure = meter();
          const raw = await load(transport.name, reqs, rate);
          const step = summarise(`${transport.name} ${mode}`, rate, n, raw, measure());
          step.server = serverTimes(serverBefore, await scrapeHistogram(ports.recHttp, histogram));
          steps.push(step);
          console.log(
            `${step.name} @ ${rate}/s: ${step.achievedPerSecond.toFixed(0)}/s, p50 ${step.p50Ms.toFixed(2)} p99 ${step.p99Ms.toFixed(2)} ms, ` +
              `server mean ${step.server?.meanMs.toFixed(3) ?? '?'} ms, errors ${step.errors}, degraded ${step.degraded}, cpu rec ${step.cpuCores.recommendation.toFixed(2)} fs ${step.cpuCores.featureStore.toFixed(2)} gen ${step.cpuCores.loadGenerator.toFixed(2)}, machine ${(step.machineBusy * 100).toFixed(0)}%`,
          );
          // Let queues drain before the next step, and stop stepping up once far past saturation.
          await sleep(2000);
          if (step.achievedPerSecond < GIVE_UP.achievedShare * rate || step.p99Ms > GIVE_UP.p99Ms) break;
        }
      }
    }
    client.close();
    stopWorker();

    // Server-side time: the service in-process (its own database and bus namespace), the same feature store
    // and registry; one request at a time, so there is no queueing in the figure.
    inProcess = await startTestApp('recommendation', (env) => RecommendationModule.register({ env }), {
      FEATURE_STORE_GRPC_URL: `127.0.0.1:${ports.fsGrpc}`,
      TRAINING_GRPC_URL: training.address,
    });
    const service = inProcess.app.app.get(RecommendService);
    const filters = filtersFromProto(undefined);
    const input = (u: string, sessionId?: string) => ({
      userId: u,
      sessionId,
      sessionItemIds: [],
      k: K,
      filters,
      omitExplanations: false,
    });
    for (let n = 0; !(await service.recommend(input(userId(1), `probe-${n}`))).modelId; n++) {
      if (n > 600) throw new Error('the in-process service loaded no model');
      await sleep(200);
    }
    const time = async (name: string, call: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < Math.min(200, serverSamples); i++) await call(i); // warm-up
      const ms = new Float64Array(serverSamples);
      for (let i = 0; i < serverSamples; i++) {
        const s = performance.now();
        await call(i);
        ms[i] = performance.now() - s;
      }
      ms.sort();
      server[name] = {
        samples: serverSamples,
        p50Ms: percentile(ms, 50),
        p90Ms: percentile(ms, 90),
        p99Ms: percentile(ms, 99),
        meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
      };
    };
    await time('uncached', (i) => service.recommend(input(anyUser(), `server-${i}`)));
    hot = hotSet(round);
    for (const u of hot) await service.recommend(input(u));
    await time('cached', (i) => service.recommend(input(hot[i % hot.length])));
    await time('uncached, omitExplanations', (i) =>
      service.recommend({ ...input(anyUser(), `server-noexp-${i}`), omitExplanations: true }),
    );
  } finally {
    stopWorker();
    await inProcess?.close().catch((err: unknown) => console.error('in-process app close:', err));
    await stopService(recommendation);
    await stopService(featureStore);
    await training.stop();
    await pg.end().catch(() => undefined);
    await bus.close();
    await deleteNamespaceStreams(namespace);
    await fsDb.drop();
    await recDb.drop();
  }
  const loadAverageEnd = loadavg();

  console.log(
    '\n' +
      formatTable(
        [
          'Recommend',
          'offered/s',
          'achieved/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'errors',
          'degraded',
          'no model',
          'send lag p99',
          'cpu rec',
          'cpu fs',
          'cpu gen',
          'machine',
          'sustained',
        ],
        steps.map((s) => [
          s.name,
          String(s.offeredPerSecond),
          s.achievedPerSecond.toFixed(0),
          s.p50Ms.toFixed(2),
          s.p90Ms.toFixed(2),
          s.p99Ms.toFixed(2),
          s.maxMs.toFixed(1),
          String(s.errors),
          String(s.degraded),
          String(s.withoutModel),
          s.sendLagP99Ms.toFixed(2),
          s.cpuCores.recommendation.toFixed(2),
          s.cpuCores.featureStore.toFixed(2),
          s.cpuCores.loadGenerator.toFixed(2),
          `${(s.machineBusy * 100).toFixed(0)}%`,
          s.sustained ? 'yes' : 'no',
        ]),
      ),
  );
  for (const s of steps) {
    const at = `${s.name} @ ${s.offeredPerSecond}/s`;
    if (s.errors > 0) console.log(`errors of ${at}: ${JSON.stringify(s.errorKinds)}`);
    if (s.degraded > 0) console.log(`degradations of ${at}: ${JSON.stringify(s.degradationKinds)}`);
    console.log(`slowest answer per second of ${at} (ms): ${s.maxMsPerSecond.map((x) => x.toFixed(0)).join(' ')}`);
  }
  console.log(
    '\n' +
      formatTable(
        ['server-side RecommendService.recommend', 'samples', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms'],
        Object.entries(server).map(([name, s]) => [
          name,
          String(s.samples),
          s.p50Ms.toFixed(3),
          s.p90Ms.toFixed(3),
          s.p99Ms.toFixed(3),
          s.meanMs.toFixed(3),
        ]),
      ),
  );
  const maxSustained = (name: string) =>
    Math.max(0, ...steps.filter((s) => s.name === name && s.sustained).map((s) => s.offeredPerSecond));
  const summary = {
    grpcUncachedMaxSustainedPerSecond: maxSustained('gRPC uncached'),
    grpcCachedMaxSustainedPerSecond: maxSustained('gRPC cached'),
    restUncachedMaxSustainedPerSecond: maxSustained('REST uncached'),
    restCachedMaxSustainedPerSecond: maxSustained('REST cached'),
    serverCachedP50Ms: server.cached?.p50Ms,
    serverUncachedP50Ms: server.uncached?.p50Ms,
  };
  console.log(`\n${JSON.stringify(summary)}`);
  console.log(
    `load average (1/5/15 min): start ${loadAverageStart.map((l) => l.toFixed(2)).join(' ')}, end ${loadAverageEnd.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const file = writeResult(
    'serving',
    {
      benchmark: 'serving',
      ...summary,
      grpcTargetMet: summary.grpcUncachedMaxSustainedPerSecond >= TARGET_GRPC_PER_SECOND,
      serverCachedTargetMet: (server.cached?.p50Ms ?? Infinity) < TARGET_SERVER_CACHED_P50_MS,
      loadAverageStart: loadAverageStart[0],
      loadAverageEnd: loadAverageEnd[0],
      timestamp: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
      node: process.version,
      settings: {
        shop,
        interactions: log.interactions,
        events: log.size,
        algorithm: options.algorithm,
        modelBytes,
        k: K,
        grpcRates,
        restRates,
        stepSeconds,
        warmupSeconds,
        hotUsers,
        serverSamples,
        modes,
        serviceNodeArgs: serviceNodeArgs.join(' '),
        otelSdkDisabled: process.env.OTEL_SDK_DISABLED === 'true',
        sustained: `achieved ≥ 98% of offered, p99 < ${TARGET_P99_MS} ms, errors ≤ 1%`,
      },
      targets: {
        grpcPerSecond: TARGET_GRPC_PER_SECOND,
        p99Ms: TARGET_P99_MS,
        serverCachedP50Ms: TARGET_SERVER_CACHED_P50_MS,
      },
      loadAverage: { start: loadAverageStart, end: loadAverageEnd },
      setup,
      steps,
      serverSide: server,
    },
    options.out || undefined,
  );
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

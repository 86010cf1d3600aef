/*
 * Per-request cost of the request metrics, on this machine: `npm run build`, then
 * `node dist/bench/platform/request-metrics.bench.js` (or `npm run bench -- --only request-metrics`); writes
 * bench/results/request-metrics.json. Each figure is the median of 7 runs of
 * 200,000 requests, in nanoseconds per request, with the cost of the harness itself (creating a response
 * object, emitting `finish`, calling a bare gRPC call) measured the same way and subtracted.
 */
import {
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import { Counter, Histogram, Registry } from 'prom-client';
import { grpcServerMetricsInterceptor } from '@app/platform/metrics/grpc-metrics.interceptor';
import { HttpMetricsMiddleware } from '@app/platform/metrics/http-metrics.middleware';
import { LATENCY_BUCKETS, MetricsRegistry } from '@app/platform/metrics/metrics.registry';
import { RequestMetrics } from '@app/platform/metrics/request.metrics';
import { writeResult } from '../dss/bench.util';

const N = 200_000;
const RUNS = 7;

function nsPerOp(body: (n: number) => void): number {
  const runs: number[] = [];
  body(N / 10); // warm-up
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    body(N);
    runs.push(Number(process.hrtime.bigint() - t0) / N);
  }
  return runs.sort((a, b) => a - b)[RUNS >> 1];
}

const routes = [{ path: '/v1/recommendations' }, { path: '/v1/items/:id/similar' }, { path: '/v1/popular' }];
const request = (i: number) => ({ method: 'GET', route: routes[i % routes.length] });

class FakeResponse extends EventEmitter {
  statusCode = 200;
  constructor(readonly req: { method: string; route?: { path: string } }) {
    super();
  }
}

function httpHarness(n: number): void {
  for (let i = 0; i < n; i++) {
    const res = new FakeResponse(request(i));
    res.emit('finish');
  }
}

function httpMiddleware(middleware: HttpMetricsMiddleware) {
  const next = () => undefined;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const res = new FakeResponse(request(i));
      middleware.use(res.req as never, res as never, next);
      res.emit('finish');
    }
  };
}

function grpcCall(): ServerInterceptingCallInterface {
  return {
    start: () => undefined,
    sendMetadata: () => undefined,
    sendMessage: (_m: unknown, cb: () => void) => cb(),
    sendStatus: () => undefined,
    startRead: () => undefined,
    getPeer: () => 'peer',
    getDeadline: () => Infinity,
    getHost: () => 'host',
    getAuthContext: () => ({}),
    getConnectionInfo: () => ({}),
    getMetricsRecorder: () => undefined as never,
  } as ServerInterceptingCallInterface;
}

const descriptors = ['Recommend', 'SimilarItems', 'Popular'].map(
  (m) => ({ path: `/retail.recommendation.v1.RecommendationService/${m}` }) as ServerMethodDefinition<unknown, unknown>,
);
const listener = { onReceiveMetadata() {}, onReceiveMessage() {}, onReceiveHalfClose() {}, onCancel() {} };
const status = { code: 0, details: 'OK' };

function grpcHarness(n: number): void {
  const call = grpcCall();
  for (let i = 0; i < n; i++) {
    call.start(listener);
    call.sendStatus(status);
  }
}

function grpcIntercepted(metrics: RequestMetrics) {
  const interceptor = grpcServerMetricsInterceptor(metrics);
  return (n: number) => {
    const call = grpcCall();
    for (let i = 0; i < n; i++) {
      const wrapped: ServerInterceptingCall = interceptor(descriptors[i % descriptors.length], call);
      wrapped.start(listener);
      wrapped.sendStatus(status);
    }
  };
}

function recordOnly(metrics: RequestMetrics) {
  const series = routes.map((r) => metrics.httpSeries('GET', r)!);
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      series[i % series.length].record(200, (performance.now() - t0) / 1000);
    }
  };
}

function promClient() {
  const registry = new Registry();
  const counter = new Counter({
    name: 'c_total',
    help: 'c',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const histogram = new Histogram({
    name: 'h_seconds',
    help: 'h',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const route = routes[i % routes.length].path;
      const t0 = performance.now();
      counter.inc({ method: 'GET', route, status: '200' });
      histogram.observe({ method: 'GET', route }, (performance.now() - t0) / 1000);
    }
  };
}

function main(): void {
  const metrics = new RequestMetrics(new MetricsRegistry('bench', { defaultMetrics: false }));
  const harnessHttp = nsPerOp(httpHarness);
  const harnessGrpc = nsPerOp(grpcHarness);
  const figures = {
    httpMiddlewareNs: nsPerOp(httpMiddleware(new HttpMetricsMiddleware(metrics))) - harnessHttp,
    grpcInterceptorNs: nsPerOp(grpcIntercepted(metrics)) - harnessGrpc,
    boundRecordNs: nsPerOp(recordOnly(metrics)),
    promClientRecordNs: nsPerOp(promClient()),
  };
  const result = { benchmark: 'request-metrics', node: process.version, requests: N, runs: RUNS, ...figures };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${writeResult('request-metrics', result)}`);
}

main();

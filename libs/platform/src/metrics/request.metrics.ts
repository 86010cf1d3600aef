import { Injectable } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { BoundCounter, CounterChild, HistogramChild } from './bound-metrics';
import { MetricsRegistry } from './metrics.registry';

/** Route label of HTTP requests no route matched (404s, scanners): one series per method, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Probes and scrapes: counting them would drown the traffic that matters. */
const EXCLUDED_HTTP_ROUTE = /^\/(metrics|health)(\/|$)/;
const EXCLUDED_GRPC_SERVICES = new Set(['grpc.health.v1.Health']);
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const HIGHEST_HTTP_STATUS = 599;

/** One HTTP route and method, its children bound once: recording is a few array and property writes. */
export class HttpRouteSeries {
  private readonly byStatus: (CounterChild | undefined)[] = new Array<CounterChild | undefined>(
    HIGHEST_HTTP_STATUS + 1,
  );

  constructor(
    private readonly requests: BoundCounter<'method' | 'route' | 'status'>,
    private readonly duration: HistogramChild,
    readonly method: string,
    readonly route: string,
  ) {}

  record(status: number, seconds: number): void {
    const s = status >= 100 && status <= HIGHEST_HTTP_STATUS ? status : 0;
    (this.byStatus[s] ??= this.requests.labels({ method: this.method, route: this.route, status: String(s) })).inc();
    this.duration.observe(seconds);
  }
}

/** One gRPC method, its children bound once, one counter child per status code. */
export class GrpcMethodSeries {
  private readonly byCode: (CounterChild | undefined)[] = new Array<CounterChild | undefined>(17);

  constructor(
    private readonly requests: BoundCounter<'service' | 'method' | 'code'>,
    private readonly duration: HistogramChild,
    readonly service: string,
    readonly method: string,
  ) {}

  record(code: number, seconds: number): void {
    const c = code >= 0 && code <= 16 ? code : GrpcStatus.UNKNOWN;
    (this.byCode[c] ??= this.requests.labels({
      service: this.service,
      method: this.method,
      code: GrpcStatus[c],
    })).inc();
    this.duration.observe(seconds);
  }
}

/**
 * Request rate, errors and latency per endpoint, for both transports. Labels are the route pattern
 * (`/v1/items/:id`) and the gRPC method, never the raw URL, so the number of series stays bounded.
 * Hot-path lookups go by object identity (the router's route, the method path) to a series whose label
 * children were bound on first use. Fed by HttpMetricsMiddleware and grpcServerMetricsInterceptor.
 */
@Injectable()
export class RequestMetrics {
  private readonly httpRequests;
  private readonly httpDuration;
  private readonly grpcRequests;
  private readonly grpcDuration;
  private readonly byRoute = new WeakMap<object, Map<string, HttpRouteSeries | null>>();
  private readonly unmatched = new Map<string, HttpRouteSeries>();
  private readonly byGrpcPath = new Map<string, GrpcMethodSeries | null>();

  constructor(metrics: MetricsRegistry) {
    this.httpRequests = metrics.boundCounter('http_server_requests_total', 'HTTP requests answered, by route pattern', [
      'method',
      'route',
      'status',
    ]);
    this.httpDuration = metrics.boundHistogram(
      'http_server_request_duration_seconds',
      'Time from the request reaching the app to the response finishing, by route pattern',
      ['method', 'route'],
    );
    this.grpcRequests = metrics.boundCounter('grpc_server_requests_total', 'gRPC calls answered, by status code', [
      'service',
      'method',
      'code',
    ]);
    this.grpcDuration = metrics.boundHistogram(
      'grpc_server_request_duration_seconds',
      'Time from the call arriving to its status being sent (whole stream for streaming calls)',
      ['service', 'method'],
    );
  }

  /**
   * The series of an HTTP request: `route` is the matched router route (`req.route`, whose `path` is the
   * pattern), undefined when nothing matched. Null for excluded routes (/metrics, /health).
   */
  httpSeries(method: string, route: { path?: unknown } | undefined): HttpRouteSeries | null {
    const m = HTTP_METHODS.has(method) ? method : 'OTHER';
    if (!route) {
      let series = this.unmatched.get(m);
      if (!series) this.unmatched.set(m, (series = this.newHttpSeries(m, UNMATCHED_ROUTE)));
      return series;
    }
    let methods = this.byRoute.get(route);
    if (!methods) this.byRoute.set(route, (methods = new Map()));
    let series = methods.get(m);
    if (series === undefined) {
      const path = typeof route.path === 'string' ? route.path : String(route.path);
      series = EXCLUDED_HTTP_ROUTE.test(path) ? null : this.newHttpSeries(m, path);
      methods.set(m, series);
    }
    return series;
  }

  /** The series of a gRPC method path (`/retail.dss.v1.DssService/GetSuggestion`); null for the health service. */
  grpcSeries(path: string): GrpcMethodSeries | null {
    let series = this.byGrpcPath.get(path);
    if (series === undefined) {
      const slash = path.lastIndexOf('/');
      const service = path.slice(path.startsWith('/') ? 1 : 0, slash);
      const method = path.slice(slash + 1);
      series = EXCLUDED_GRPC_SERVICES.has(service)
        ? null
        : new GrpcMethodSeries(this.grpcRequests, this.grpcDuration.labels({ service, method }), service, method);
      this.byGrpcPath.set(path, series);
    }
    return series;
  }

  private newHttpSeries(method: string, route: string): HttpRouteSeries {
    return new HttpRouteSeries(this.httpRequests, this.httpDuration.labels({ method, route }), method, route);
  }
}

import { MetricsRegistry } from './metrics.registry';
import { RequestMetrics, UNMATCHED_ROUTE } from './request.metrics';

const lines = async (m: MetricsRegistry, name: string) =>
  (await m.text()).split('\n').filter((l) => l.startsWith(`${name}{`));

describe(RequestMetrics.name, () => {
  let registry: MetricsRegistry;
  let metrics: RequestMetrics;
  beforeEach(() => {
    registry = new MetricsRegistry('svc', { defaultMetrics: false });
    metrics = new RequestMetrics(registry);
  });

  it('labels HTTP requests with the route pattern, one series per route object and method', async () => {
    const route = { path: '/v1/items/:id' };
    const get = metrics.httpSeries('GET', route)!;
    expect(metrics.httpSeries('GET', route)).toBe(get);
    get.record(200, 0.004);
    get.record(200, 0.02);
    get.record(404, 0.001);
    metrics.httpSeries('HEAD', route)!.record(200, 0.001);
    metrics.httpSeries('BREW', route)!.record(999, 0.001); // odd method and status: bounded labels
    expect(await lines(registry, 'http_server_requests_total')).toEqual([
      'http_server_requests_total{method="GET",route="/v1/items/:id",status="200",app="svc"} 2',
      'http_server_requests_total{method="GET",route="/v1/items/:id",status="404",app="svc"} 1',
      'http_server_requests_total{method="HEAD",route="/v1/items/:id",status="200",app="svc"} 1',
      'http_server_requests_total{method="OTHER",route="/v1/items/:id",status="0",app="svc"} 1',
    ]);
    expect(await lines(registry, 'http_server_request_duration_seconds_count')).toContain(
      'http_server_request_duration_seconds_count{app="svc",method="GET",route="/v1/items/:id"} 3',
    );
  });

  it('puts requests no route matched in one series and leaves out probes and scrapes', () => {
    const unmatched = metrics.httpSeries('GET', undefined)!;
    expect(unmatched.route).toBe(UNMATCHED_ROUTE);
    expect(metrics.httpSeries('GET', undefined)).toBe(unmatched);
    expect(metrics.httpSeries('GET', { path: '/metrics' })).toBeNull();
    expect(metrics.httpSeries('GET', { path: '/health/ready' })).toBeNull();
    expect(metrics.httpSeries('GET', { path: '/healthy-things' })).not.toBeNull();
  });

  it('labels gRPC calls with service, method and the status code name; the health service is left out', async () => {
    const series = metrics.grpcSeries('/retail.dss.v1.DssService/GetSuggestion')!;
    expect([series.service, series.method]).toEqual(['retail.dss.v1.DssService', 'GetSuggestion']);
    expect(metrics.grpcSeries('/retail.dss.v1.DssService/GetSuggestion')).toBe(series);
    series.record(0, 0.001);
    series.record(5, 0.002);
    series.record(42, 0.003); // not a status code: UNKNOWN
    expect(metrics.grpcSeries('/grpc.health.v1.Health/Check')).toBeNull();
    expect(await lines(registry, 'grpc_server_requests_total')).toEqual([
      'grpc_server_requests_total{service="retail.dss.v1.DssService",method="GetSuggestion",code="OK",app="svc"} 1',
      'grpc_server_requests_total{service="retail.dss.v1.DssService",method="GetSuggestion",code="NOT_FOUND",app="svc"} 1',
      'grpc_server_requests_total{service="retail.dss.v1.DssService",method="GetSuggestion",code="UNKNOWN",app="svc"} 1',
    ]);
  });
});

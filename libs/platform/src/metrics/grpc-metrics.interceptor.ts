import { ServerInterceptingCall, status as GrpcStatus, type ServerInterceptor } from '@grpc/grpc-js';
import type { RequestMetrics } from './request.metrics';

/**
 * A grpc-js server interceptor (installed through the server's `interceptors` option) that times every
 * call from its arrival to the status the server sends, and counts it by method and status code. At the
 * transport rather than as a Nest interceptor: it sees the final code (after the exception filter mapped
 * the error) and costs about 0.15 µs a call, where a Nest interceptor costs tens of µs (see HttpMetricsMiddleware).
 * A call the client cancels counts as CANCELLED.
 */
export function grpcServerMetricsInterceptor(metrics: RequestMetrics): ServerInterceptor {
  return (descriptor, call) => {
    const series = metrics.grpcSeries(descriptor.path);
    if (!series) return new ServerInterceptingCall(call);
    const started = performance.now();
    let recorded = false;
    const finish = (code: number) => {
      if (recorded) return;
      recorded = true;
      series.record(code, (performance.now() - started) / 1000);
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => finish(GrpcStatus.CANCELLED) }),
      sendStatus: (status, next) => {
        finish(status.code);
        next(status);
      },
    });
  };
}

import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { Metadata } from '@grpc/grpc-js';
import { Observable, throwError } from 'rxjs';
import { SpanStatusCode, isSpanContextValid, trace } from '@opentelemetry/api';
import { mapError } from './error-map';

/** Metadata keys of a gRPC error; clients read them with `errorFromGrpc` below. */
export const GRPC_ERROR_CODE_KEY = 'error-code';
export const GRPC_TRACE_ID_KEY = 'trace-id';
export const GRPC_VIOLATIONS_KEY = 'error-violations-bin';

interface HttpResponseLike {
  status(code: number): HttpResponseLike;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
  headersSent?: boolean;
}

/**
 * The one exception filter, for both transports. Domain errors keep their code and message;
 * anything else becomes INTERNAL/500 with nothing of its internals, and is logged in full.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    const mapped = mapError(exception, traceIdFor(exception, host.getType()));
    if (mapped.unexpected) {
      this.logger.error(exception instanceof Error ? exception : String(exception));
    }
    if (host.getType() === 'rpc') {
      const metadata = new Metadata();
      metadata.set(GRPC_ERROR_CODE_KEY, mapped.body.code);
      if (mapped.body.traceId) metadata.set(GRPC_TRACE_ID_KEY, mapped.body.traceId);
      if (mapped.body.violations.length > 0) {
        metadata.set(GRPC_VIOLATIONS_KEY, Buffer.from(JSON.stringify(mapped.body.violations)));
      }
      return throwError(() => ({
        code: mapped.grpcStatus,
        message: mapped.body.message,
        details: mapped.body.message,
        metadata,
      }));
    }
    const res = host.switchToHttp().getResponse<HttpResponseLike>();
    if (res.headersSent) return;
    if (mapped.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(mapped.retryAfterSeconds));
    if (mapped.body.traceId) res.setHeader('trace-id', mapped.body.traceId);
    if (mapped.httpStatus === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(mapped.httpStatus).json({ error: mapped.body });
  }
}

const tracer = trace.getTracer('platform.errors');

/**
 * Records the error on the request's span and returns that span's trace id. Instrumentation makes the
 * request span; where there is none (instrumentation off), a span of its own keeps the error findable.
 */
function traceIdFor(exception: unknown, transport: string): string | undefined {
  const active = trace.getActiveSpan();
  const span = active && isSpanContextValid(active.spanContext()) ? active : tracer.startSpan(`${transport} error`);
  const mapped = mapError(exception);
  if (mapped.unexpected) {
    span.recordException(exception instanceof Error ? exception : new Error(String(exception)));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.setAttribute('error.code', mapped.body.code);
  if (span !== active) span.end();
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

/** Reads the error code, trace id and field violations back from a gRPC error's metadata. */
export function errorFromGrpc(err: { code?: number; details?: string; metadata?: Metadata }): {
  status?: number;
  code?: string;
  traceId?: string;
  message?: string;
  violations: { field: string; message: string }[];
} {
  const md = err.metadata;
  const raw = md?.get(GRPC_VIOLATIONS_KEY)[0];
  return {
    status: err.code,
    code: md?.get(GRPC_ERROR_CODE_KEY)[0]?.toString(),
    traceId: md?.get(GRPC_TRACE_ID_KEY)[0]?.toString(),
    message: err.details,
    violations: raw
      ? (JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw) as { field: string; message: string }[])
      : [],
  };
}

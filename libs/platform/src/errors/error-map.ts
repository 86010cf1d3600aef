import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError, ErrorKind, FieldViolation } from './domain-error';

/** The one table from error kind to transport status. */
export const ERROR_STATUS: Readonly<Record<ErrorKind, { grpc: GrpcStatus; http: number }>> = {
  [ErrorKind.InvalidArgument]: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400 },
  [ErrorKind.NotFound]: { grpc: GrpcStatus.NOT_FOUND, http: 404 },
  [ErrorKind.AlreadyExists]: { grpc: GrpcStatus.ALREADY_EXISTS, http: 409 },
  [ErrorKind.Conflict]: { grpc: GrpcStatus.ABORTED, http: 409 },
  [ErrorKind.FailedPrecondition]: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 422 },
  [ErrorKind.PermissionDenied]: { grpc: GrpcStatus.PERMISSION_DENIED, http: 403 },
  [ErrorKind.Unauthenticated]: { grpc: GrpcStatus.UNAUTHENTICATED, http: 401 },
  [ErrorKind.ResourceExhausted]: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 429 },
  [ErrorKind.PayloadTooLarge]: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 413 },
  [ErrorKind.Unavailable]: { grpc: GrpcStatus.UNAVAILABLE, http: 503 },
  [ErrorKind.DeadlineExceeded]: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504 },
  [ErrorKind.Internal]: { grpc: GrpcStatus.INTERNAL, http: 500 },
};

/** What any transport sends back: safe to show to a caller. */
export interface ErrorBody {
  code: string;
  message: string;
  violations: FieldViolation[];
  traceId?: string;
}

export interface MappedError {
  grpcStatus: GrpcStatus;
  httpStatus: number;
  body: ErrorBody;
  retryAfterSeconds?: number;
  /** True when the error was not a domain error: log it in full, reveal nothing. */
  unexpected: boolean;
}

/** HTTP statuses raised by the framework itself (bad JSON, too large, unknown route) → kinds. */
const HTTP_FRAMEWORK_KINDS: Record<number, { kind: ErrorKind; code: string }> = {
  400: { kind: ErrorKind.InvalidArgument, code: 'REQUEST.MALFORMED' },
  404: { kind: ErrorKind.NotFound, code: 'ROUTE.NOT_FOUND' },
  405: { kind: ErrorKind.InvalidArgument, code: 'ROUTE.METHOD_NOT_ALLOWED' },
  413: { kind: ErrorKind.PayloadTooLarge, code: 'REQUEST.TOO_LARGE' },
  415: { kind: ErrorKind.InvalidArgument, code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' },
};

interface HttpLikeError {
  getStatus(): number;
  message: string;
}

function isHttpLike(err: unknown): err is HttpLikeError {
  return typeof err === 'object' && err !== null && typeof (err as HttpLikeError).getStatus === 'function';
}

/** body-parser errors carry `status`/`type` rather than being Nest exceptions. */
function bodyParserStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; type?: unknown };
  return typeof e.status === 'number' && typeof e.type === 'string' ? e.status : undefined;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection refused',
];

/**
 * True for failures to reach the database rather than failures of a statement: refused or dropped
 * connections, pool timeouts, server shutdown (SQLSTATE 57P01–57P03) and connection exceptions (class 08).
 * These become UNAVAILABLE / 503 so callers retry; a failed transaction has stored nothing.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    const { code, message, driverError, cause } = e as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^57P0[123]$/.test(code) || /^08/.test(code))) {
      return true;
    }
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((m) => message.includes(m))) return true;
    e = driverError ?? cause;
  }
  return false;
}

export function mapError(err: unknown, traceId?: string): MappedError {
  if (!(err instanceof DomainError) && isDatabaseUnavailable(err)) {
    const s = ERROR_STATUS[ErrorKind.Unavailable];
    return {
      grpcStatus: s.grpc,
      httpStatus: s.http,
      body: {
        code: 'DATABASE.UNAVAILABLE',
        message: 'The database cannot be reached; nothing was stored. Retry later.',
        violations: [],
        traceId,
      },
      retryAfterSeconds: 5,
      unexpected: false,
    };
  }
  if (err instanceof DomainError) {
    const s = ERROR_STATUS[err.kind];
    return {
      grpcStatus: s.grpc,
      httpStatus: s.http,
      body: { code: err.code, message: err.message, violations: [...err.violations], traceId },
      retryAfterSeconds: err.retryAfterSeconds,
      unexpected: false,
    };
  }
  const httpStatus = isHttpLike(err) ? err.getStatus() : bodyParserStatus(err);
  const known = httpStatus !== undefined ? HTTP_FRAMEWORK_KINDS[httpStatus] : undefined;
  if (known) {
    const s = ERROR_STATUS[known.kind];
    const message = err instanceof Error ? err.message : known.code;
    return {
      grpcStatus: s.grpc,
      httpStatus: httpStatus!,
      body: { code: known.code, message, violations: [], traceId },
      unexpected: false,
    };
  }
  return {
    grpcStatus: GrpcStatus.INTERNAL,
    httpStatus: 500,
    body: { code: 'INTERNAL', message: 'Internal error', violations: [], traceId },
    unexpected: true,
  };
}

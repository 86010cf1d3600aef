import { status as GrpcStatus } from '@grpc/grpc-js';
import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError, ErrorKind, NotFoundError, UnavailableError, ValidationError } from './domain-error';
import { ERROR_STATUS, mapError } from './error-map';

describe(mapError.name, () => {
  it('maps every kind to a gRPC and an HTTP status', () => {
    for (const kind of Object.values(ErrorKind)) {
      expect(ERROR_STATUS[kind]).toEqual({ grpc: expect.any(Number), http: expect.any(Number) });
    }
  });

  it("keeps a domain error's code, message, violations and the trace id", () => {
    const m = mapError(new ValidationError([{ field: 'events[2].quantity', message: 'must be positive' }]), 'abc');
    expect(m).toMatchObject({
      grpcStatus: GrpcStatus.INVALID_ARGUMENT,
      httpStatus: 400,
      unexpected: false,
      body: {
        code: 'REQUEST.INVALID',
        message: 'Invalid request: events[2].quantity: must be positive',
        violations: [{ field: 'events[2].quantity', message: 'must be positive' }],
        traceId: 'abc',
      },
    });
  });

  it('maps not-found and unavailable with retry-after', () => {
    expect(mapError(new NotFoundError('MODEL.NOT_FOUND', 'no model m1'))).toMatchObject({
      grpcStatus: GrpcStatus.NOT_FOUND,
      httpStatus: 404,
      body: { code: 'MODEL.NOT_FOUND' },
    });
    expect(mapError(new UnavailableError('DATABASE.UNAVAILABLE', 'database down', 5))).toMatchObject({
      grpcStatus: GrpcStatus.UNAVAILABLE,
      httpStatus: 503,
      retryAfterSeconds: 5,
    });
  });

  it('hides the internals of unexpected errors', () => {
    const m = mapError(new Error('password=hunter2 at db.ts:42'), 't1');
    expect(m).toMatchObject({ grpcStatus: GrpcStatus.INTERNAL, httpStatus: 500, unexpected: true });
    expect(JSON.stringify(m.body)).not.toContain('hunter2');
    expect(m.body).toEqual({ code: 'INTERNAL', message: 'Internal error', violations: [], traceId: 't1' });
  });

  it('maps framework errors (malformed JSON, too large, unknown route)', () => {
    expect(mapError(new BadRequestException('Unexpected token } in JSON'))).toMatchObject({
      httpStatus: 400,
      body: { code: 'REQUEST.MALFORMED' },
    });
    expect(mapError(new PayloadTooLargeException())).toMatchObject({
      httpStatus: 413,
      body: { code: 'REQUEST.TOO_LARGE' },
    });
    expect(mapError(new NotFoundException('Cannot GET /nope'))).toMatchObject({
      httpStatus: 404,
      body: { code: 'ROUTE.NOT_FOUND' },
    });
    const bodyParser = Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' });
    expect(mapError(bodyParser)).toMatchObject({ httpStatus: 413, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
  });

  it('subclasses keep their own name', () => {
    class ModelNotFound extends DomainError {
      constructor() {
        super('MODEL.NOT_FOUND', ErrorKind.NotFound, 'gone');
      }
    }
    expect(new ModelNotFound().name).toBe('ModelNotFound');
  });
});

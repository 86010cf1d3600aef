/**
 * The kinds of failure a caller can act on. Every domain error has one; the transport layer maps
 * kinds (never individual codes) to gRPC and HTTP statuses, in error-map.ts.
 */
export enum ErrorKind {
  InvalidArgument = 'INVALID_ARGUMENT',
  NotFound = 'NOT_FOUND',
  AlreadyExists = 'ALREADY_EXISTS',
  Conflict = 'CONFLICT',
  FailedPrecondition = 'FAILED_PRECONDITION',
  PermissionDenied = 'PERMISSION_DENIED',
  Unauthenticated = 'UNAUTHENTICATED',
  ResourceExhausted = 'RESOURCE_EXHAUSTED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  Unavailable = 'UNAVAILABLE',
  DeadlineExceeded = 'DEADLINE_EXCEEDED',
  Internal = 'INTERNAL',
}

/** One field-level problem, e.g. `{ field: 'events[3].quantity', message: 'must be positive' }`. */
export interface FieldViolation {
  field: string;
  message: string;
}

/**
 * Base class of every error the domain raises on purpose. `code` is stable and documented
 * (`MODEL.NOT_FOUND`); `message` is for people; `violations` name the fields at fault.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(violations: readonly FieldViolation[], code = 'REQUEST.INVALID') {
    const first = violations[0];
    const summary = first ? `${first.field}: ${first.message}` : 'invalid request';
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
    super(code, ErrorKind.InvalidArgument, `Invalid request: ${summary}${more}`, violations);
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string) {
    super(code, ErrorKind.NotFound, message);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string) {
    super(code, ErrorKind.Conflict, message);
  }
}

export class PreconditionError extends DomainError {
  constructor(code: string, message: string) {
    super(code, ErrorKind.FailedPrecondition, message);
  }
}

/** A dependency (database, bus, peer service) cannot be reached; the caller may retry. */
export class UnavailableError extends DomainError {
  constructor(code: string, message: string, retryAfterSeconds?: number) {
    super(code, ErrorKind.Unavailable, message, [], retryAfterSeconds);
  }
}

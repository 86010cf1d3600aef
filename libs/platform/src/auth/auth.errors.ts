import { DomainError, ErrorKind } from '../errors/domain-error';

/** No usable credentials: 401 (with `WWW-Authenticate: Bearer`) / UNAUTHENTICATED. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'credentials are missing or not valid') {
    super('AUTH.UNAUTHENTICATED', ErrorKind.Unauthenticated, message);
  }
}

/** Valid credentials without the scope the endpoint needs: 403 / PERMISSION_DENIED, naming the scope. */
export class PermissionDeniedError extends DomainError {
  constructor(readonly missingScopes: readonly string[]) {
    super('AUTH.PERMISSION_DENIED', ErrorKind.PermissionDenied, `missing scope: ${missingScopes.join(', ')}`);
  }
}

/** Over the caller's rate limit: 429 + Retry-After / RESOURCE_EXHAUSTED. */
export class RateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('AUTH.RATE_LIMITED', ErrorKind.ResourceExhausted, 'too many requests', [], retryAfterSeconds);
  }
}

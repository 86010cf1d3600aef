import { Metadata } from '@grpc/grpc-js';
import { firstValueFrom, Observable, timeout as rxTimeout } from 'rxjs';
import { UnavailableError } from '../errors/domain-error';

/**
 * Turns a unary call of a Nest ClientGrpc service (which returns an Observable) into a Promise with a
 * deadline, so it can be wrapped by a circuit breaker. A call that times out rejects with
 * UnavailableError, which the breaker counts as a failure.
 */
export function unaryCall<T>(
  call: (metadata: Metadata) => Observable<T>,
  options: { timeoutMs: number; target: string; metadata?: Metadata },
): Promise<T> {
  const metadata = options.metadata ?? new Metadata();
  return firstValueFrom(
    call(metadata).pipe(
      rxTimeout({
        first: options.timeoutMs,
        with: () => {
          throw new UnavailableError(
            'DEPENDENCY.TIMEOUT',
            `${options.target} did not answer within ${options.timeoutMs} ms`,
          );
        },
      }),
    ),
  );
}

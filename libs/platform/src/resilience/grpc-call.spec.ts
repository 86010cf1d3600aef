import { Metadata } from '@grpc/grpc-js';
import { NEVER, of, throwError } from 'rxjs';
import { UnavailableError } from '../errors/domain-error';
import { CircuitBreakerFactory } from './circuit-breaker.factory';
import { unaryCall } from './grpc-call';

describe(unaryCall.name, () => {
  it('resolves with the first value and passes the metadata', async () => {
    const md = new Metadata();
    md.set('x-request', 'r1');
    let seen: Metadata | undefined;
    const value = await unaryCall(
      (m) => {
        seen = m;
        return of({ items: 3 });
      },
      { timeoutMs: 50, target: 'feature-store', metadata: md },
    );
    expect(value).toEqual({ items: 3 });
    expect(seen?.get('x-request')).toEqual(['r1']);
  });

  it('rejects with UnavailableError naming the target when the deadline passes', async () => {
    await expect(unaryCall(() => NEVER, { timeoutMs: 10, target: 'feature-store' })).rejects.toThrow(
      new UnavailableError('DEPENDENCY.TIMEOUT', 'feature-store did not answer within 10 ms'),
    );
  });

  it('lets a breaker serve the fallback when the dependency errors', async () => {
    const breakers = new CircuitBreakerFactory();
    const failing = breakers.create(
      'features',
      () =>
        unaryCall(() => throwError(() => Object.assign(new Error('down'), { code: 14 })), {
          timeoutMs: 10,
          target: 'fs',
        }),
      { fallback: () => ({ items: 0, degraded: true }) },
    );
    expect(await failing.fire()).toEqual({ items: 0, degraded: true });
    breakers.shutdownAll();
  });
});

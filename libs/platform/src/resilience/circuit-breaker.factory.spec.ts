import { status as GrpcStatus } from '@grpc/grpc-js';
import { CircuitBreakerFactory } from './circuit-breaker.factory';

const unavailable = () => Object.assign(new Error('connect ECONNREFUSED'), { code: GrpcStatus.UNAVAILABLE });
const invalid = () => Object.assign(new Error('bad k'), { code: GrpcStatus.INVALID_ARGUMENT });

describe(CircuitBreakerFactory.name, () => {
  let factory: CircuitBreakerFactory;
  beforeEach(() => {
    factory = new CircuitBreakerFactory();
  });
  afterEach(() => factory.shutdownAll());

  it('opens after failures, then answers from the fallback without calling the dependency', async () => {
    let calls = 0;
    const breaker = factory.create(
      'features',
      async () => {
        calls++;
        throw unavailable();
      },
      { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, fallback: () => 'cached' },
    );
    for (let i = 0; i < 3; i++) expect(await breaker.fire()).toBe('cached');
    expect(breaker.state).toBe('open');
    const before = calls;
    expect(await breaker.fire()).toBe('cached');
    expect(calls).toBe(before);
    expect(factory.snapshot()).toEqual([
      expect.objectContaining({ name: 'features', state: 'open', failures: 3, rejects: 1, fallbacks: 4 }),
    ]);
  });

  it('does not trip on errors that blame the request', async () => {
    const breaker = factory.create(
      'strict',
      async () => {
        throw invalid();
      },
      { volumeThreshold: 2 },
    );
    for (let i = 0; i < 5; i++) await expect(breaker.fire()).rejects.toThrow('bad k');
    expect(breaker.state).toBe('closed');
  });

  it('times out slow calls and half-opens after the reset timeout', async () => {
    let slow = true;
    const breaker = factory.create(
      'slow',
      async (x: number) => {
        if (slow) await new Promise((r) => setTimeout(r, 200));
        return x * 2;
      },
      { timeoutMs: 20, volumeThreshold: 1, resetTimeoutMs: 50 },
    );
    await expect(breaker.fire(1)).rejects.toThrow(/Timed out/i);
    expect(breaker.state).toBe('open');
    await new Promise((r) => setTimeout(r, 80));
    expect(breaker.state).toBe('half_open');
    slow = false;
    expect(await breaker.fire(21)).toBe(42);
    expect(breaker.state).toBe('closed');
  });

  it('refuses two breakers with one name', () => {
    factory.create('x', async () => 1);
    expect(() => factory.create('x', async () => 1)).toThrow(/already exists/);
  });
});

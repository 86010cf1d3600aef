import { CircuitBreakerFactory } from '../resilience/circuit-breaker.factory';
import { BreakerMetrics } from './breaker.metrics';
import { MetricsRegistry } from './metrics.registry';

const unavailable = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 14 });

describe(BreakerMetrics.name, () => {
  let factory: CircuitBreakerFactory;
  beforeEach(() => {
    factory = new CircuitBreakerFactory();
  });
  afterEach(() => factory.shutdownAll());

  it('reports each breaker state (0 closed, 2 open) and counts its events, breakers made before watching included', async () => {
    let failing = false;
    const early = factory.create(
      'early',
      async () => {
        if (failing) throw unavailable();
        return 1;
      },
      { volumeThreshold: 2, resetTimeoutMs: 60_000, fallback: () => 0 },
    );
    const registry = new MetricsRegistry('svc', { defaultMetrics: false });
    new BreakerMetrics(registry).watch(factory);
    factory.create('late', async () => 1);

    await early.fire();
    failing = true;
    await early.fire();
    await early.fire();
    expect(early.state).toBe('open');
    await early.fire(); // rejected at once, answered by the fallback

    const text = await registry.text();
    expect(text).toContain('circuit_breaker_state{breaker="early",app="svc"} 2');
    expect(text).toContain('circuit_breaker_state{breaker="late",app="svc"} 0');
    const count = (event: string) =>
      Number(
        new RegExp(`circuit_breaker_events_total\\{breaker="early",event="${event}",app="svc"\\} (\\d+)`).exec(
          text,
        )?.[1] ?? 0,
      );
    expect(count('success')).toBe(1);
    expect(count('failure')).toBe(2);
    expect(count('open')).toBe(1);
    expect(count('reject')).toBe(1);
    expect(count('fallback')).toBe(3);

    early.shutdown();
    expect(await registry.text()).not.toContain('breaker="early",app="svc"} 2');
  });
});

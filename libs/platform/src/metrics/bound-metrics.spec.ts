import { Counter, Histogram, Registry } from 'prom-client';
import { BoundCounter, BoundHistogram } from './bound-metrics';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** Two registries with the same default label: one fed through prom-client's metrics, one through ours. */
function registries() {
  const reference = new Registry();
  const bound = new Registry();
  for (const r of [reference, bound]) r.setDefaultLabels({ app: 'test' });
  return { reference, bound };
}

describe('bound metrics', () => {
  it('render a counter exactly as prom-client does', async () => {
    const { reference, bound } = registries();
    const c = new Counter({
      name: 'x_total',
      help: 'Some "x"',
      labelNames: ['route', 'status'],
      registers: [reference],
    });
    const b = new BoundCounter('x_total', 'Some "x"', ['route', 'status']).register(bound);
    c.inc({ route: '/a/:id', status: '200' }, 3);
    c.inc({ route: 'we"ird\\', status: '500' });
    const ok = b.labels({ route: '/a/:id', status: '200' });
    ok.inc();
    ok.inc(2);
    b.labels({ route: 'we"ird\\', status: '500' }).inc();
    expect(await bound.metrics()).toBe(await reference.metrics());
    expect(b.labels({ route: '/a/:id', status: '200' })).toBe(ok); // bound once
  });

  it('render a histogram exactly as prom-client does: cumulative buckets, +Inf, sum and count', async () => {
    const { reference, bound } = registries();
    const h = new Histogram({
      name: 'd_seconds',
      help: 'd',
      labelNames: ['m'],
      buckets: BUCKETS,
      registers: [reference],
    });
    const b = new BoundHistogram('d_seconds', 'd', ['m'], BUCKETS).register(bound);
    const values = [0.0005, 0.001, 0.002, 0.05, 0.5, 1, 7];
    for (const v of values) {
      h.observe({ m: 'GET' }, v);
      b.labels({ m: 'GET' }).observe(v);
    }
    h.observe({ m: 'POST' }, 0.02);
    b.labels({ m: 'POST' }).observe(0.02);
    expect(await bound.metrics()).toBe(await reference.metrics());
    const child = b.labels({ m: 'GET' });
    expect([...child.counts]).toEqual([2, 1, 1, 2, 1]); // ≤0.001, ≤0.01, ≤0.1, ≤1, above
    expect(child.count).toBe(values.length);
    const json = (await bound.getMetricsAsJSON())[0].values as { labels: object; metricName?: string }[];
    expect(json).toContainEqual(
      expect.objectContaining({ labels: { app: 'test', m: 'GET', le: '+Inf' }, metricName: 'd_seconds_bucket' }),
    );
  });

  it('forget their children on reset and refuse a label set with a missing value or a reserved name', async () => {
    const registry = new Registry();
    const b = new BoundCounter('y_total', 'y', ['a']).register(registry);
    b.labels({ a: '1' }).inc();
    b.reset();
    expect(await registry.metrics()).toBe('# HELP y_total y\n# TYPE y_total counter\n');
    expect(() => b.labels({} as { a: string })).toThrow(/label "a" needs a string value/);
    expect(() => new BoundHistogram('z', 'z', ['le'], BUCKETS)).toThrow(/reserved/);
  });
});

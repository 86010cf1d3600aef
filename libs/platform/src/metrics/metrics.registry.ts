import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BoundCounter, BoundHistogram } from './bound-metrics';

/** Latency buckets in seconds, from sub-millisecond reads to multi-second batch jobs. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The app's Prometheus registry: process metrics plus whatever the app declares. One per app, labelled
 * with the app's name; served at GET /metrics.
 */
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(app: string, options: { defaultMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ app });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** `collect`, if given, runs before each scrape reads the counter (to bring it up to date from elsewhere). */
  counter<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: Counter<L>) => void | Promise<void>,
  ): Counter<L> {
    return this.existing(name) ?? new Counter({ name, help, labelNames, collect, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: number[] = LATENCY_BUCKETS,
    collect?: (this: Histogram<L>) => void | Promise<void>,
  ): Histogram<L> {
    return (
      this.existing(name) ?? new Histogram({ name, help, labelNames, buckets, collect, registers: [this.registry] })
    );
  }

  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: Gauge<L>) => void | Promise<void>,
  ): Gauge<L> {
    return this.existing(name) ?? new Gauge({ name, help, labelNames, collect, registers: [this.registry] });
  }

  /** A counter for hot paths: bind each label set once with `labels({...})`, then `child.inc()`. */
  boundCounter<L extends string>(name: string, help: string, labelNames: readonly L[]): BoundCounter<L> {
    const existing = this.existing<unknown>(name);
    if (existing instanceof BoundCounter) return existing as BoundCounter<L>;
    return new BoundCounter(name, help, labelNames).register(this.registry);
  }

  /** A histogram for hot paths: bind each label set once with `labels({...})`, then `child.observe(v)`. */
  boundHistogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[] = LATENCY_BUCKETS,
  ): BoundHistogram<L> {
    const existing = this.existing<unknown>(name);
    if (existing instanceof BoundHistogram) return existing as BoundHistogram<L>;
    return new BoundHistogram(name, help, labelNames, buckets).register(this.registry);
  }

  /** Names of every metric declared so far (process metrics included), as exposed. */
  names(): string[] {
    return this.registry.getMetricsAsArray().map((m) => m.name);
  }

  /** Prometheus text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private existing<M>(name: string): M | undefined {
    return this.registry.getSingleMetric(name) as M | undefined;
  }
}

import type { Metric, Registry } from 'prom-client';

/*
 * Counters and histograms for hot paths (every request). prom-client hashes and validates the label
 * object on every `inc`/`observe`, even through `labels(...)` (~0.6 µs for a counter plus a histogram);
 * these bind a label set once and then cost a few property writes (~0.03 µs). They register in the same
 * prom-client Registry and expose the same text format; only their children API differs.
 */

type Labels<L extends string> = Readonly<Record<L, string>>;

interface Sample {
  labels: Record<string, string | number>;
  /** Labels the Registry prints after the default ones (prom-client's histograms put theirs here). */
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
}

/** What a prom-client Registry reads from a metric when it renders /metrics. */
interface Exposition {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

abstract class BoundFamily<L extends string, C extends { readonly labels: Labels<L> }> {
  readonly aggregator = 'sum' as const;
  protected readonly children = new Map<string, C>();

  protected constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {}

  /** The child for this label set, created on first use; keep it and call it on the hot path. */
  labels(values: Labels<L>): C {
    const key = this.labelNames.map((l) => values[l]).join('\u0000');
    let child = this.children.get(key);
    if (!child) {
      const labels = {} as Record<L, string>;
      for (const l of this.labelNames) {
        const v = values[l];
        if (typeof v !== 'string') throw new Error(`metric ${this.name}: label "${l}" needs a string value`);
        labels[l] = v;
      }
      child = this.create(Object.freeze(labels));
      this.children.set(key, child);
    }
    return child;
  }

  /** Drops every child (the Registry's resetMetrics calls it); children held elsewhere stop being exposed. */
  reset(): void {
    this.children.clear();
  }

  register(registry: Registry): this {
    // The Registry accepts any object with name/help/type/get(); its typing lists only its own classes.
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  protected abstract create(labels: Labels<L>): C;
}

export class CounterChild<L extends string = string> {
  value = 0;
  constructor(readonly labels: Labels<L>) {}

  inc(by = 1): void {
    this.value += by;
  }
}

/** A counter whose label sets are bound once (`labels({...})`) and incremented with `child.inc()`. */
export class BoundCounter<L extends string = string> extends BoundFamily<L, CounterChild<L>> {
  readonly type = 'counter' as const;

  constructor(name: string, help: string, labelNames: readonly L[]) {
    super(name, help, labelNames);
  }

  protected create(labels: Labels<L>): CounterChild<L> {
    return new CounterChild(labels);
  }

  get(): Promise<Exposition> {
    const values: Sample[] = [];
    for (const c of this.children.values()) values.push({ labels: { ...c.labels }, value: c.value });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}

export class HistogramChild<L extends string = string> {
  /** Observations per bucket (not cumulative); the last slot is above the highest bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels<L>,
    private readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/** A histogram whose label sets are bound once (`labels({...})`) and fed with `child.observe(v)`. */
export class BoundHistogram<L extends string = string> extends BoundFamily<L, HistogramChild<L>> {
  readonly type = 'histogram' as const;
  private readonly bounds: Float64Array;

  constructor(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]) {
    super(name, help, labelNames);
    if (labelNames.includes('le' as L)) throw new Error(`metric ${name}: "le" is reserved for histogram buckets`);
    this.bounds = Float64Array.from([...buckets].sort((a, b) => a - b));
  }

  protected create(labels: Labels<L>): HistogramChild<L> {
    return new HistogramChild(labels, this.bounds);
  }

  /** For the text format, laid out as prom-client's histograms are (the Registry prefers this to get()). */
  getForPromString(): Promise<Exposition> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.children.values()) {
      const sharedLabels = { ...c.labels };
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += c.counts[i];
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels, value: c.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels, value: c.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** For the Registry's JSON: every label on each value. */
  async get(): Promise<Exposition> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({
      ...rest,
      labels: { ...labels, ...sharedLabels },
    }));
    return data;
  }
}

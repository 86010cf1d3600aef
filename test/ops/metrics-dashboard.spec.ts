import {
  BreakerMetrics,
  MessagingMetrics,
  MetricsRegistry,
  OutboxMetrics,
  RequestMetrics,
} from '@app/platform/metrics';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DssMetrics } from '../../apps/dss/src/infra/dss.metrics';
import { FeatureStoreMetrics } from '../../apps/feature-store/src/infra/feature-store.metrics';
import { IngestionMetrics } from '../../apps/ingestion/src/infra/ingestion.metrics';
import { ServingMetrics } from '../../apps/recommendation/src/infra/serving.metrics';
import { TrainingMetrics } from '../../apps/training/src/infra/training.metrics';

const DASHBOARD = join(__dirname, '../../deploy/grafana/dashboards/retail-reco.json');

interface Target {
  expr?: string;
  refId: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
  multi?: boolean;
  includeAll?: boolean;
}
interface Dashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

/**
 * The names each service registers, from live registries of its metrics classes (platform ones included),
 * declared the way the services declare them; the readers a class needs at run time are not called here.
 */
function registeredNames(): Set<string> {
  const names = new Set<string>();
  const app = (name: string, declare: (registry: MetricsRegistry) => void) => {
    const registry = new MetricsRegistry(name);
    new RequestMetrics(registry);
    new MessagingMetrics(registry);
    new BreakerMetrics(registry);
    const outbox = new OutboxMetrics(registry);
    declare(registry);
    // IngestionMetrics declares its lag gauges when it is given the reader (as IngestionStatsService does).
    if (name === 'ingestion') {
      new IngestionMetrics(registry, outbox).watchLag(() => Promise.resolve({ records: 0, seconds: 0, published: 0 }));
    }
    for (const n of registry.names()) names.add(n);
  };
  app('ingestion', () => undefined);
  app('feature-store', (r) => new FeatureStoreMetrics(r));
  app('training', (r) => new TrainingMetrics(r));
  app('recommendation', (r) => new ServingMetrics(r));
  app('dss', (r) => new DssMetrics(r));
  return names;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or strings. */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/(?<![\w:.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length);
    if (/^\s*\(/.test(after) || KEYWORDS.has(m[0])) continue; // a function call or a keyword
    names.push(m[0]);
  }
  return names;
}

describe('Grafana dashboard (deploy/grafana/dashboards/retail-reco.json)', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queryPanels = panels.filter((p) => p.type !== 'row');
  const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));
  const variable = (name: string) => dashboard.templating.list.find((v) => v.name === name);

  it('finds the metric names in PromQL, and only them', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.99, sum by (le, app) (rate(x_seconds_bucket{app=~"$app", route!~"/a{b}"}[$__rate_interval]))) / ignoring (code) group_left sum(y_total offset 1h)',
      ),
    ).toEqual(['x_seconds_bucket', 'y_total']);
  });

  it('is a schema-39 dashboard whose Prometheus data source and service are variables', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.uid).toBe('retail-reco');
    expect(variable('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const app = variable('app')!;
    expect(app).toMatchObject({ type: 'query', multi: true, includeAll: true });
    expect(app.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('queries every panel through ${datasource}, filtered by $app, with unique ids on a 24-column grid', () => {
    expect(exprs.length).toBeGreaterThan(30);
    for (const p of queryPanels) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets ?? []) expect(t.datasource ?? p.datasource).toEqual(p.datasource);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    for (const { panel, expr } of exprs)
      expect({ panel, filtered: expr.includes('app=~"$app"') }).toEqual({ panel, filtered: true });
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses only metric names the services register', () => {
    const registered = registeredNames();
    const query = variable('app')!.query;
    const used = new Set([
      ...exprs.flatMap((e) => metricNamesOf(e.expr)),
      // label_values(<metric>, <label>)
      /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(typeof query === 'string' ? query : query.query)?.[1] ?? '',
    ]);
    const unknown = [...used].filter((name) => {
      if (registered.has(name)) return false;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return !(base !== name && registered.has(base));
    });
    expect(unknown).toEqual([]);
    // What the operations issue asks the dashboard to show.
    expect([...used]).toEqual(
      expect.arrayContaining([
        'http_server_requests_total',
        'http_server_request_duration_seconds_bucket',
        'grpc_server_requests_total',
        'grpc_server_request_duration_seconds_bucket',
        'messaging_consumer_pending_messages',
        'messaging_consumer_processed_total',
        'messaging_dead_letter_total',
        'circuit_breaker_state',
        'outbox_backlog_messages',
        'recommendation_model_info',
        'recommendation_model_training_data_age_seconds',
        'recommendation_input_drift',
        'ingestion_records_total',
        'feature_store_events_total',
        'training_runs_total',
        'dss_computation_pairs_total',
      ]),
    );
  });
});

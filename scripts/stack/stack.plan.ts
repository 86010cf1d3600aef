import { join } from 'node:path';
import { APP_DEFAULTS, APP_NAMES, AppName, PEER_GRPC_VARS } from '@app/platform/config/platform.config';
import { withDatabase } from '@app/platform/database/database-url';

/**
 * Everything the launcher decides from its environment, as pure functions: which apps, which
 * ports, which database and NATS server, and each app's environment. No I/O here.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_EMBEDDED_PG_PORT = 5488;
export const DEFAULT_LOCAL_NATS_PORT = 4322;
export const DEFAULT_READY_TIMEOUT_MS = 60_000;
/** Longer than the apps' own SHUTDOWN_TIMEOUT_MS (10 s), so an app gets to end its own shutdown first. */
export const DEFAULT_STOP_TIMEOUT_MS = 15_000;
export const DEFAULT_NODE_ENV = 'development';

export interface AppPlan {
  readonly name: AppName;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** `<APP>_DATABASE_URL`, when set: used as is instead of a database derived from the server URL. */
  readonly databaseUrlOverride?: string;
}

export type PostgresPlan =
  | { readonly kind: 'external'; readonly serverUrl: string }
  | { readonly kind: 'embedded'; readonly port: number; readonly dataDir: string };

export type NatsPlan =
  | { readonly kind: 'external'; readonly url: string }
  | { readonly kind: 'local'; readonly port: number; readonly storeDir: string };

export interface StackPlan {
  readonly apps: readonly AppPlan[];
  readonly nodeEnv: string;
  readonly postgres: PostgresPlan;
  readonly nats: NatsPlan;
  /** Where embedded PostgreSQL, local NATS and their logs keep data. */
  readonly dataDir: string;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
  /** Test hook STACK_APP_COMMAND: replaces `node dist/apps/<app>/src/main.js`; `{app}` is replaced by the app name. */
  readonly appCommand?: readonly string[];
}

/** Every configuration problem at once, so one run tells the user all there is to fix. */
export class StackConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = StackConfigError.name;
  }
}

/** `feature-store` → `FEATURE_STORE`, the prefix of an app's own variables. */
export function envPrefix(app: AppName): string {
  return app.toUpperCase().replace(/-/g, '_');
}

/** `feature-store` → `reco_feature_store`. */
export function databaseNameFor(app: AppName): string {
  return `reco_${app.replace(/-/g, '_')}`;
}

/** The variable holding an app's gRPC address for its peers, e.g. FEATURE_STORE_GRPC_URL. */
export function peerVariable(app: AppName): keyof typeof PEER_GRPC_VARS {
  return `${envPrefix(app)}_GRPC_URL` as keyof typeof PEER_GRPC_VARS;
}

export function httpUrlOf(app: AppPlan): string {
  return `http://127.0.0.1:${app.httpPort}`;
}

export function grpcAddressOf(app: AppPlan): string {
  return `127.0.0.1:${app.grpcPort}`;
}

export function planStack(env: Env, repoRoot: string): StackPlan {
  const problems: string[] = [];
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return def;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      problems.push(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
      return def;
    }
    return value;
  };
  const url = (name: string, protocols: readonly string[]): string | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    // NATS accepts a comma-separated list of servers; each must be a URL.
    const all = name === 'NATS_URL' ? raw.split(',').map((s) => s.trim()) : [raw];
    for (const one of all) {
      let protocol: string;
      try {
        protocol = new URL(one).protocol.replace(/:$/, '');
      } catch {
        protocol = '';
      }
      if (!protocols.includes(protocol)) {
        problems.push(`${name}: expected a ${protocols.join(' or ')} URL, got "${one}"`);
        return undefined;
      }
    }
    return raw;
  };

  const selected = selectApps(env.STACK_APPS, problems);
  const apps = selected.map((name): AppPlan => {
    const prefix = envPrefix(name);
    const databaseUrlOverride = url(`${prefix}_DATABASE_URL`, ['postgres', 'postgresql']);
    return {
      name,
      httpPort: int(`${prefix}_HTTP_PORT`, APP_DEFAULTS[name].httpPort, 1, 65535),
      grpcPort: int(`${prefix}_GRPC_PORT`, APP_DEFAULTS[name].grpcPort, 1, 65535),
      ...(databaseUrlOverride ? { databaseUrlOverride } : {}),
    };
  });

  const dataDir = env.STACK_DATA_DIR?.trim() || join(repoRoot, '.data');
  const databaseUrl = url('DATABASE_URL', ['postgres', 'postgresql']);
  const postgres: PostgresPlan =
    databaseUrl !== undefined
      ? { kind: 'external', serverUrl: databaseUrl }
      : {
          kind: 'embedded',
          port: int('EMBEDDED_PG_PORT', DEFAULT_EMBEDDED_PG_PORT, 1, 65535),
          dataDir: join(dataDir, 'postgres'),
        };
  const natsUrl = url('NATS_URL', ['nats', 'tls']);
  const nats: NatsPlan =
    natsUrl !== undefined
      ? { kind: 'external', url: natsUrl }
      : {
          kind: 'local',
          port: int('LOCAL_NATS_PORT', DEFAULT_LOCAL_NATS_PORT, 1, 65535),
          storeDir: join(dataDir, 'nats'),
        };

  problems.push(...portClashes(apps, postgres, nats));

  const appCommand = env.STACK_APP_COMMAND?.trim().split(/\s+/).filter(Boolean);
  const plan: StackPlan = {
    apps,
    nodeEnv: env.NODE_ENV?.trim() || DEFAULT_NODE_ENV,
    postgres,
    nats,
    dataDir,
    readyTimeoutMs: int('STACK_READY_TIMEOUT_MS', DEFAULT_READY_TIMEOUT_MS, 1, 3_600_000),
    stopTimeoutMs: int('STACK_STOP_TIMEOUT_MS', DEFAULT_STOP_TIMEOUT_MS, 1, 3_600_000),
    ...(appCommand && appCommand.length > 0 ? { appCommand } : {}),
  };
  if (problems.length > 0) throw new StackConfigError(problems);
  return plan;
}

/** STACK_APPS=ingestion,dss → those apps, in the stack's canonical order; unset or empty → all. */
export function selectApps(raw: string | undefined, problems: string[]): AppName[] {
  const wanted = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted.length === 0) return [...APP_NAMES];
  const unknown = wanted.filter((w) => !(APP_NAMES as readonly string[]).includes(w));
  if (unknown.length > 0) {
    problems.push(`STACK_APPS: unknown app ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${APP_NAMES.join(', ')}`);
  }
  return APP_NAMES.filter((name) => wanted.includes(name));
}

function portClashes(apps: readonly AppPlan[], postgres: PostgresPlan, nats: NatsPlan): string[] {
  const users = new Map<number, string[]>();
  const use = (port: number, who: string) => users.set(port, [...(users.get(port) ?? []), who]);
  for (const app of apps) {
    use(app.httpPort, `${app.name} HTTP`);
    use(app.grpcPort, `${app.name} gRPC`);
  }
  if (postgres.kind === 'embedded') use(postgres.port, 'embedded PostgreSQL');
  if (nats.kind === 'local') use(nats.port, 'local NATS');
  return [...users]
    .filter(([, who]) => who.length > 1)
    .map(([port, who]) => `port ${port} is planned for ${who.join(' and ')}; set one of their *_PORT variables`);
}

/** The app's own database: its `<APP>_DATABASE_URL`, else the server URL with the path `/reco_<app>`. */
export function appDatabaseUrl(app: AppPlan, serverUrl: string): string {
  return app.databaseUrlOverride ?? withDatabase(serverUrl, databaseNameFor(app.name));
}

/**
 * Where an app finds each peer over gRPC. Apps this launcher starts are where it put them; for an
 * app left out by STACK_APPS, the launcher's own environment may say where it runs instead.
 */
export function peerAddresses(plan: StackPlan, env: Env): Record<string, string> {
  const peers: Record<string, string> = {};
  for (const name of APP_NAMES) {
    const variable = peerVariable(name);
    const started = plan.apps.find((a) => a.name === name);
    peers[variable] = started
      ? grpcAddressOf(started)
      : env[variable]?.trim() || `127.0.0.1:${APP_DEFAULTS[name].grpcPort}`;
  }
  return peers;
}

/** The launcher's environment passed through, with the app's own settings on top. */
export function appEnvironment(
  app: AppPlan,
  plan: StackPlan,
  env: Env,
  resolved: { readonly databaseUrl: string; readonly natsUrl: string },
): Record<string, string> {
  const passed = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    ...passed,
    NODE_ENV: plan.nodeEnv,
    HTTP_PORT: String(app.httpPort),
    GRPC_PORT: String(app.grpcPort),
    DATABASE_URL: resolved.databaseUrl,
    NATS_URL: resolved.natsUrl,
    ...peerAddresses(plan, env),
  };
}

/** The command line that starts an app: its built main.js, or the STACK_APP_COMMAND template. */
export function appCommandLine(
  app: AppName,
  plan: StackPlan,
  repoRoot: string,
  nodePath: string,
): { command: string; args: string[] } {
  if (plan.appCommand) {
    const [command, ...args] = plan.appCommand.map((part) => part.replace(/\{app\}/g, app));
    return { command: command!, args };
  }
  return { command: nodePath, args: [appEntryPoint(app, repoRoot)] };
}

export function appEntryPoint(app: AppName, repoRoot: string): string {
  return join(repoRoot, 'dist', 'apps', app, 'src', 'main.js');
}

/**
 * Where to connect to create an app's database if it is missing: the server URL the user gave
 * when the app's database is on that same server (that database is known to exist), else the
 * `postgres` maintenance database of the app's server.
 */
export function adminUrlFor(databaseUrl: string, serverUrl: string | undefined): string {
  if (serverUrl !== undefined && sameServer(databaseUrl, serverUrl)) return serverUrl;
  return withDatabase(databaseUrl, 'postgres');
}

function sameServer(a: string, b: string): boolean {
  const [x, y] = [new URL(a), new URL(b)];
  return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.username === y.username;
}

import { APP_DEFAULTS, APP_NAMES } from '@app/platform/config/platform.config';
import {
  adminUrlFor,
  appCommandLine,
  appDatabaseUrl,
  appEnvironment,
  databaseNameFor,
  DEFAULT_EMBEDDED_PG_PORT,
  DEFAULT_LOCAL_NATS_PORT,
  DEFAULT_READY_TIMEOUT_MS,
  envPrefix,
  peerAddresses,
  planStack,
  StackConfigError,
} from './stack.plan';

const ROOT = '/repo';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    planStack(env, ROOT);
  } catch (err) {
    if (err instanceof StackConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('planStack', () => {
  it('starts every app on its default ports with embedded PostgreSQL and a local NATS when nothing is set', () => {
    const plan = planStack({}, ROOT);
    expect(plan.apps.map((a) => [a.name, a.httpPort, a.grpcPort])).toEqual([
      ['ingestion', 3001, 50051],
      ['feature-store', 3002, 50052],
      ['training', 3003, 50053],
      ['recommendation', 3004, 50054],
      ['dss', 3005, 50055],
    ]);
    expect(plan.postgres).toEqual({
      kind: 'embedded',
      port: DEFAULT_EMBEDDED_PG_PORT,
      dataDir: '/repo/.data/postgres',
    });
    expect(plan.nats).toEqual({ kind: 'local', port: DEFAULT_LOCAL_NATS_PORT, storeDir: '/repo/.data/nats' });
    expect(plan.nodeEnv).toBe('development');
    expect(plan.readyTimeoutMs).toBe(DEFAULT_READY_TIMEOUT_MS);
    expect(plan.appCommand).toBeUndefined();
  });

  it('uses the servers named by DATABASE_URL and NATS_URL instead of starting its own', () => {
    const plan = planStack(
      { DATABASE_URL: 'postgres://u:p@db:5432/postgres', NATS_URL: 'nats://a:4222,nats://b:4222' },
      ROOT,
    );
    expect(plan.postgres).toEqual({ kind: 'external', serverUrl: 'postgres://u:p@db:5432/postgres' });
    expect(plan.nats).toEqual({ kind: 'external', url: 'nats://a:4222,nats://b:4222' });
  });

  it('takes per-app ports, a data folder, ports of the local servers and timeouts from the environment', () => {
    const plan = planStack(
      {
        FEATURE_STORE_HTTP_PORT: '4002',
        FEATURE_STORE_GRPC_PORT: '60052',
        STACK_DATA_DIR: '/tmp/stack',
        EMBEDDED_PG_PORT: '6000',
        LOCAL_NATS_PORT: '6001',
        STACK_READY_TIMEOUT_MS: '5000',
        STACK_STOP_TIMEOUT_MS: '3000',
        NODE_ENV: 'test',
      },
      ROOT,
    );
    expect(plan.apps[1]).toMatchObject({ name: 'feature-store', httpPort: 4002, grpcPort: 60052 });
    expect(plan.postgres).toEqual({ kind: 'embedded', port: 6000, dataDir: '/tmp/stack/postgres' });
    expect(plan.nats).toEqual({ kind: 'local', port: 6001, storeDir: '/tmp/stack/nats' });
    expect(plan).toMatchObject({ readyTimeoutMs: 5000, stopTimeoutMs: 3000, nodeEnv: 'test', dataDir: '/tmp/stack' });
  });

  it('starts only the apps in STACK_APPS, in the stack order', () => {
    const plan = planStack({ STACK_APPS: ' dss, ingestion ,' }, ROOT);
    expect(plan.apps.map((a) => a.name)).toEqual(['ingestion', 'dss']);
  });

  it('lists every bad variable in one error', () => {
    expect(
      problemsOf({
        STACK_APPS: 'ingestion,billing',
        INGESTION_HTTP_PORT: 'eighty',
        INGESTION_GRPC_PORT: '70000',
        DATABASE_URL: 'mysql://db/x',
        NATS_URL: 'nats://ok:4222,http://bad',
        STACK_READY_TIMEOUT_MS: '-1',
      }),
    ).toEqual([
      expect.stringContaining('STACK_APPS: unknown app "billing"'),
      expect.stringContaining('INGESTION_HTTP_PORT=eighty'),
      expect.stringContaining('INGESTION_GRPC_PORT=70000'),
      expect.stringContaining('DATABASE_URL: expected a postgres or postgresql URL'),
      expect.stringContaining('NATS_URL: expected a nats or tls URL, got "http://bad"'),
      expect.stringContaining('STACK_READY_TIMEOUT_MS=-1'),
    ]);
  });

  it('refuses two things planned on one port', () => {
    expect(problemsOf({ DSS_HTTP_PORT: '3001', EMBEDDED_PG_PORT: '50052' })).toEqual([
      'port 3001 is planned for ingestion HTTP and dss HTTP; set one of their *_PORT variables',
      'port 50052 is planned for feature-store gRPC and embedded PostgreSQL; set one of their *_PORT variables',
    ]);
  });

  it('ignores the ports of servers it does not start', () => {
    expect(problemsOf({ NATS_URL: 'nats://127.0.0.1:4222', LOCAL_NATS_PORT: '3001' })).toEqual([]);
  });
});

describe('databaseNameFor', () => {
  it.each(APP_NAMES)('names %s the way the platform defaults do', (app) => {
    expect(databaseNameFor(app)).toBe(APP_DEFAULTS[app].database);
  });
});

describe('envPrefix', () => {
  it('turns an app name into its variable prefix', () => {
    expect(envPrefix('feature-store')).toBe('FEATURE_STORE');
  });
});

describe('appDatabaseUrl', () => {
  it('puts each app in its own database on the server', () => {
    const [, featureStore] = planStack({}, ROOT).apps;
    expect(appDatabaseUrl(featureStore!, 'postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable')).toBe(
      'postgres://u:p@127.0.0.1:5432/reco_feature_store?sslmode=disable',
    );
  });

  it('prefers the app own <APP>_DATABASE_URL', () => {
    const own = 'postgres://other:5433/test_feature_store_x';
    const [, featureStore] = planStack({ FEATURE_STORE_DATABASE_URL: own }, ROOT).apps;
    expect(appDatabaseUrl(featureStore!, 'postgres://127.0.0.1:5432/postgres')).toBe(own);
  });
});

describe('adminUrlFor', () => {
  it('administers through the server URL when the database lives there', () => {
    expect(adminUrlFor('postgres://u@db:5432/reco_dss', 'postgres://u@db/maintenance')).toBe(
      'postgres://u@db/maintenance',
    );
  });

  it('uses the postgres database of another server', () => {
    expect(adminUrlFor('postgres://u@other:5433/test_dss', 'postgres://u@db:5432/postgres')).toBe(
      'postgres://u@other:5433/postgres',
    );
    expect(adminUrlFor('postgres://u@other:5433/test_dss', undefined)).toBe('postgres://u@other:5433/postgres');
  });
});

describe('peerAddresses', () => {
  it('points at the apps it starts and, for the others, at the environment or the defaults', () => {
    const plan = planStack({ STACK_APPS: 'ingestion,recommendation', RECOMMENDATION_GRPC_PORT: '61054' }, ROOT);
    expect(
      peerAddresses(plan, { FEATURE_STORE_GRPC_URL: 'fs.internal:50052', RECOMMENDATION_GRPC_URL: 'ignored:1' }),
    ).toEqual({
      INGESTION_GRPC_URL: '127.0.0.1:50051',
      FEATURE_STORE_GRPC_URL: 'fs.internal:50052',
      TRAINING_GRPC_URL: '127.0.0.1:50053',
      RECOMMENDATION_GRPC_URL: '127.0.0.1:61054',
      DSS_GRPC_URL: '127.0.0.1:50055',
    });
  });
});

describe('appEnvironment', () => {
  it('passes the launcher environment through with the app settings on top', () => {
    const env = { PATH: '/bin', LOG_LEVEL: 'debug', HTTP_PORT: '1', DATABASE_URL: 'postgres://server/postgres' };
    const plan = planStack(env, ROOT);
    const dss = plan.apps[4]!;
    expect(
      appEnvironment(dss, plan, env, { databaseUrl: 'postgres://server/reco_dss', natsUrl: 'nats://127.0.0.1:4322' }),
    ).toEqual({
      PATH: '/bin',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'development',
      HTTP_PORT: '3005',
      GRPC_PORT: '50055',
      DATABASE_URL: 'postgres://server/reco_dss',
      NATS_URL: 'nats://127.0.0.1:4322',
      INGESTION_GRPC_URL: '127.0.0.1:50051',
      FEATURE_STORE_GRPC_URL: '127.0.0.1:50052',
      TRAINING_GRPC_URL: '127.0.0.1:50053',
      RECOMMENDATION_GRPC_URL: '127.0.0.1:50054',
      DSS_GRPC_URL: '127.0.0.1:50055',
    });
  });
});

describe('appCommandLine', () => {
  it('runs the built main.js with the same node', () => {
    const plan = planStack({}, ROOT);
    expect(appCommandLine('feature-store', plan, ROOT, '/usr/bin/node')).toEqual({
      command: '/usr/bin/node',
      args: ['/repo/dist/apps/feature-store/src/main.js'],
    });
  });

  it('runs the STACK_APP_COMMAND template instead, with {app} filled in', () => {
    const plan = planStack({ STACK_APP_COMMAND: 'node  fake.js --name={app} {app}' }, ROOT);
    expect(appCommandLine('dss', plan, ROOT, '/usr/bin/node')).toEqual({
      command: 'node',
      args: ['fake.js', '--name=dss', 'dss'],
    });
  });
});

import { Client } from 'pg';
import { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import { assertSafeForEnvironment, databaseName, redactUrl, withDatabase } from './database-url';

type EntityTarget = Function | EntitySchema; // eslint-disable-line @typescript-eslint/no-unsafe-function-type
type MigrationClass = new () => MigrationInterface;

export interface DatabaseOptions {
  url: string;
  /** Name shown in pg_stat_activity, e.g. the app name. */
  applicationName: string;
  entities: EntityTarget[];
  migrations: MigrationClass[];
  poolSize?: number;
  createIfMissing?: boolean;
  nodeEnv?: string;
  /** How long to keep retrying the first connection while PostgreSQL starts. */
  connectTimeoutMs?: number;
}

/** Creates the database if it does not exist (dev and test convenience; production provisions its own). */
export async function ensureDatabaseExists(url: string): Promise<boolean> {
  const name = databaseName(url);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (err) {
      // Two processes racing to create the same database: the loser sees duplicate_database.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
    return true;
  } finally {
    await admin.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Builds and initialises a TypeORM DataSource for one app's own database. Schema changes come
 * only from migrations: `synchronize` is always off.
 */
export async function openDataSource(options: DatabaseOptions): Promise<DataSource> {
  assertSafeForEnvironment(options.url, options.nodeEnv ?? process.env.NODE_ENV);
  const deadline = Date.now() + (options.connectTimeoutMs ?? 15000);
  for (let attempt = 1; ; attempt++) {
    try {
      if (options.createIfMissing) await ensureDatabaseExists(options.url);
      const dataSource = new DataSource({
        type: 'postgres',
        url: options.url,
        applicationName: options.applicationName,
        entities: options.entities,
        migrations: options.migrations,
        migrationsTransactionMode: 'each',
        synchronize: false,
        logging: false,
        extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 },
      });
      return await dataSource.initialize();
    } catch (err) {
      const code = (err as { code?: string }).code;
      const retriable = code === 'ECONNREFUSED' || code === '57P03' /* cannot_connect_now */ || code === 'ETIMEDOUT';
      if (!retriable || Date.now() > deadline) {
        throw new Error(`Cannot open database ${redactUrl(options.url)}: ${(err as Error).message}`, { cause: err });
      }
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  }
}

/** Applies pending migrations; returns the names applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
